// Project dashboards and annual reports in the browser: the coordinator opens a demo project's
// dashboard (charts with their tables), changes the period (and gets a per-field error for
// custom dates), opens the project's annual report and the area's, and chooses the
// project's indicators. Every page visited is checked with axe-core (WCAG 2.2 AA); the
// dashboard and the area report in each language.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  LANGS,
  checkPage,
  clickAndWait,
  demoSession,
  errorSummaryText,
  pathOf,
} from './lib.mjs';

const TEST_TIMEOUT = 300_000;
const YEAR = new Date().getUTCFullYear();

const session = demoSession();
const as = session.as;
const check = checkPage;

async function openProject(page, code) {
  await page.goto('/projects');
  await clickAndWait(page, page.locator('table#projects tbody tr', { hasText: code }).locator('a').first());
  assert.match(pathOf(page), /^\/projects\/[0-9a-f-]{36}$/);
}

for (const lang of LANGS) {
  test(`reports in ${lang}: a project dashboard and the area's annual report are accessible`, { timeout: TEST_TIMEOUT }, async () => {
    const page = await as('coordinator', lang);
    await openProject(page, 'OTX-ENPLEGU');
    await clickAndWait(page, page.locator('a#open-dashboard'));
    assert.match(pathOf(page), /^\/projects\/[0-9a-f-]{36}\/dashboard$/);
    await check(page, `dashboard (${lang})`);
    // Charts come with their tables: one per indicator, and the budget.
    assert.ok(await page.locator('svg.chart').count() >= 4, 'charts on the dashboard');
    assert.equal(await page.locator('table#table-PL-01 caption').count(), 1);
    assert.equal(await page.locator('#figure-budget svg.chart').count(), 1);
    await page.goto(`/reports/annual?year=${YEAR}`);
    await check(page, `area annual report (${lang})`);
    assert.ok(await page.locator('section.app-report-project').count() >= 6, 'five projects and the area totals');
    await page.close();
  });
}

test('the coordinator changes the period, opens the annual reports and chooses the indicators', { timeout: TEST_TIMEOUT }, async () => {
  const page = await as('coordinator', 'en');
  await openProject(page, 'EKONOPOLO');
  const projectPath = pathOf(page);
  await clickAndWait(page, page.locator('a#open-dashboard'));
  await check(page, 'dashboard');
  assert.equal(await page.locator('table#table-SSE-01').count(), 1, 'the demo gives EKONOPOLO its SSE indicators');

  // A quarter.
  await page.locator('#period').fill(`${YEAR}-Q1`);
  await clickAndWait(page, page.locator('button#show-period'));
  assert.match(page.url(), new RegExp(`period=${YEAR}-Q1`));
  const shown = await page.locator('#period-shown').innerText();
  assert.ok(shown.includes(`${YEAR}-01-01`) && shown.includes(`${YEAR}-03-31`), shown);
  await check(page, 'dashboard for a quarter');

  // Custom dates (typed into the address: the form offers none): the error summary, on the field.
  assert.equal(await page.locator('#start').count(), 0, 'no custom dates in the form');
  const dashboardPath = pathOf(page);
  await page.goto(`${dashboardPath}?start=${YEAR}-05-01&end=${YEAR}-05-02`);
  assert.match(await errorSummaryText(page), /Custom dates are not published/);
  assert.equal(await page.locator('#period-error').count(), 1);
  await check(page, 'dashboard with a period error');

  // A month.
  await page.locator('#period').fill(`${YEAR}-06`);
  await clickAndWait(page, page.locator('button#show-period'));
  assert.match(page.url(), new RegExp(`period=${YEAR}-06`));
  assert.ok((await page.locator('#period-shown').innerText()).includes(`${YEAR}-06-30`));

  // The project's annual report.
  await clickAndWait(page, page.locator('a#annual-report'));
  assert.match(pathOf(page), /^\/projects\/[0-9a-f-]{36}\/report$/);
  await check(page, 'project annual report');
  assert.equal(await page.locator('section.app-report-project').count(), 1);
  assert.equal(await page.locator('#print-hint').count(), 1);

  // The area's.
  await page.goto('/projects');
  await clickAndWait(page, page.locator('a#area-annual-report'));
  assert.equal(pathOf(page), '/reports/annual');
  await check(page, 'area annual report');
  assert.equal(await page.locator('table#area-totals').count(), 1);
  await page.locator('#year').fill('1999');
  await clickAndWait(page, page.locator('button#show-year'));
  assert.match(await errorSummaryText(page), /2000 to 2100/);

  // Choose the project's indicators.
  await page.goto(projectPath);
  await clickAndWait(page, page.locator('a#edit-indicators'));
  assert.match(pathOf(page), /\/indicators$/);
  await check(page, 'project indicators form');
  await page.locator('input[name="indicators"][value="PL-07"]').check();
  await clickAndWait(page, page.locator('form button#submit'));
  assert.equal(pathOf(page), projectPath);
  assert.ok((await page.locator('#project-indicators').innerText()).includes('PL-07'));
  await check(page, 'project with its indicators');
  await page.close();
});
