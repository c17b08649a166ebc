// Neighbourhood dashboards in the browser: the analyst opens a neighbourhood's dashboard in each
// language (axe clean, charts included), changes the period and the breakdown with the form and
// sees the table change, is told per field that custom dates are refused, downloads the
// CSV export, and the public neighbourhood page opens without signing in (axe clean).

import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { after, before, test } from 'node:test';

import {
  LANGS,
  checkA11y,
  checkPage,
  clickAndWait,
  demoSession,
  errorSummaryText,
  freshPage,
  h1Text,
  htmlLang,
  pathOf,
} from './lib.mjs';

const TEST_TIMEOUT = 300_000;
// Otxarkoaga: the demo's records and projects are there.
const AREA = '3.01';
const YEAR = new Date().getUTCFullYear();

const session = demoSession();
const as = session.as;
const check = checkPage;

async function submit(page) {
  await clickAndWait(page, page.locator('button#dash-show'));
}

for (const lang of LANGS) {
  test(`dashboards in ${lang}: catalogue, city and a neighbourhood with charts are accessible`, { timeout: TEST_TIMEOUT }, async () => {
    const page = await as('analyst', lang);
    await clickAndWait(page, page.locator('nav a[href="/indicators"]'));
    assert.equal(pathOf(page), '/indicators');
    await check(page, `catalogue (${lang})`);
    assert.ok(await page.locator('table#indicators tbody tr').count() >= 30, 'the bundled catalogue');
    await clickAndWait(page, page.locator('table#indicators a[href="/indicators/TR-01"]'));
    await check(page, `indicator TR-01 (${lang})`);

    await clickAndWait(page, page.locator('nav a[href="/dashboards/city"]'));
    assert.equal(pathOf(page), '/dashboards/city');
    await check(page, `city dashboard (${lang})`);

    await page.goto('/dashboards/neighbourhoods');
    await check(page, `neighbourhoods (${lang})`);
    await clickAndWait(page, page.locator(`table#neighbourhoods a[href="/dashboards/neighbourhoods/${AREA}"]`));
    assert.equal(pathOf(page), `/dashboards/neighbourhoods/${AREA}`);
    assert.match(await h1Text(page), /Otxarkoaga/);
    await check(page, `neighbourhood dashboard (${lang})`);
    assert.ok(await page.locator('section.app-indicator').count() > 0, 'indicators are shown');

    await page.locator('select#by').selectOption('sex');
    await submit(page);
    assert.match(page.url(), /by=sex/);
    assert.ok(await page.locator('svg.chart[role="img"]').count() > 0, 'charts are drawn');
    assert.ok(await page.locator('main table caption').count() > 0, 'every chart has its table');
    await check(page, `neighbourhood dashboard by sex (${lang})`);
    await page.close();
  });
}

test('the form changes the period and the breakdown, refuses custom dates, and the CSV downloads', { timeout: TEST_TIMEOUT }, async () => {
  const page = await as('analyst', 'en');
  await page.goto(`/dashboards/neighbourhoods/${AREA}`);
  assert.equal(await page.locator('main table').count(), 0, 'totals only: no tables');

  await page.locator('select#by').selectOption('age_band');
  await submit(page);
  const firstTable = page.locator('main table').first();
  assert.equal(await firstTable.locator('thead th').first().innerText(), 'Age band');
  assert.equal(await firstTable.locator('tbody th').first().innerText(), 'Total');
  const byAge = await page.locator('main table').allInnerTexts();

  await page.locator('select#by').selectOption('origin');
  await submit(page);
  assert.match(page.url(), /by=origin/);
  assert.equal(await page.locator('main table').first().locator('thead th').first().innerText(), 'Origin');
  const byOrigin = await page.locator('main table').allInnerTexts();
  assert.notDeepEqual(byOrigin, byAge, 'the tables changed with the breakdown');

  await page.locator('select#period').selectOption(String(YEAR - 1));
  await submit(page);
  assert.match(page.url(), new RegExp(`period=${YEAR - 1}`));
  assert.equal(await page.locator('#period-shown').innerText(), `Year ${YEAR - 1}`);
  assert.equal(await page.locator('select#by').inputValue(), 'origin', 'the breakdown is kept');
  // Last year's records are fewer (the demo's are mostly this year's): the tables differ.
  assert.notDeepEqual(await page.locator('main table').allInnerTexts(), byOrigin, 'the tables changed with the period');
  await check(page, 'neighbourhood by origin, last year');

  // Custom dates (typed into the address: the form offers none) are refused on the period.
  assert.equal(await page.locator('input#start').count(), 0, 'no custom dates in the form');
  await page.goto(`/dashboards/neighbourhoods/${AREA}?start=${YEAR}-10-01&end=${YEAR}-10-02&by=origin`);
  assert.match(await errorSummaryText(page), /Custom dates are not published/);
  assert.match(await page.locator('#period-error').innerText(), /Custom dates are not published/);
  await check(page, 'neighbourhood dashboard with an error');

  // A month of the grid, then the CSV of what is shown.
  await page.locator('select#period').selectOption(`${YEAR}-01`);
  await page.locator('select#by').selectOption('origin');
  await submit(page);
  assert.match(page.url(), new RegExp(`period=${YEAR}-01`));
  assert.equal(await page.locator('#period-shown').innerText(), `January ${YEAR}`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#exports a', { hasText: 'CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `indicators-3-01-${YEAR}-01.csv`);
  const csv = (await fsp.readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = csv.trim().split(/\r?\n/);
  assert.match(lines[0], /^Code,Name,Unit,Scope,Period start,Period end,Breakdown,Group,Group name,Value,Status$/);
  assert.ok(lines.length > 1, 'rows');
  for (const line of lines.slice(1)) {
    assert.match(line, new RegExp(`,neighbourhood:${AREA},${YEAR}-01-01,${YEAR}-01-31,origin,`), line);
    assert.match(line, /,(value|suppressed|no_data|division_by_zero)$/, line);
  }
  await page.close();
});

test('the public neighbourhood page opens without signing in and is accessible', { timeout: TEST_TIMEOUT }, async () => {
  // The signed-in visit above computed the current year; the public page only reads it.
  const page = await freshPage(session.context, { acceptLanguage: 'es' });
  await page.goto('/public/neighbourhoods');
  assert.equal(await htmlLang(page), 'es');
  await checkA11y(page, 'public neighbourhoods');
  await clickAndWait(page, page.locator(`table#neighbourhoods a[href="/public/neighbourhoods/${AREA}"]`));
  assert.match(await h1Text(page), /Otxarkoaga/);
  assert.equal(await page.locator('button#sign-out').count(), 0, 'nobody is signed in');
  await checkA11y(page, 'public neighbourhood (es)');
  for (const lang of LANGS) {
    await page.goto(`/public/neighbourhoods/${AREA}?period=${YEAR}&by=sex&lang=${lang}`);
    assert.equal(await htmlLang(page), lang);
    await checkA11y(page, `public neighbourhood by sex (${lang})`);
  }
  await page.close();
});
