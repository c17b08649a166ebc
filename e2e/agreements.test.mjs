// Agreements in the browser: the coordinator creates a draft agreement with a party of the
// directory (refused first with nothing filled in), adds a commitment, signs and activates the
// agreement, records progress on the commitment and sees it as a bar with its text on the
// agreement. Every page visited is checked with axe-core (WCAG 2.2 AA); the list and a demo
// agreement in Basque and English too.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  checkPage,
  clickAndWait,
  demoSession,
  errorSummaryText,
  pathOf,
} from './lib.mjs';

const TEST_TIMEOUT = 300_000;

const session = demoSession();
const as = session.as;
const check = checkPage;

async function fillDate(page, id, d) {
  await page.locator(`#${id}-day`).fill(String(d.getUTCDate()));
  await page.locator(`#${id}-month`).fill(String(d.getUTCMonth() + 1));
  await page.locator(`#${id}-year`).fill(String(d.getUTCFullYear()));
}

const DAY = 86_400_000;

for (const lang of ['eu', 'en']) {
  test(`agreements in ${lang}: the list and a demo agreement are accessible`, { timeout: TEST_TIMEOUT }, async () => {
    const page = await as('coordinator', lang);
    await clickAndWait(page, page.locator('nav a[href="/agreements"]'));
    assert.equal(pathOf(page), '/agreements');
    await check(page, `agreements (${lang})`);
    assert.ok(await page.locator('table#agreements .app-expiring').count() > 0, 'an agreement ending soon is highlighted');
    await clickAndWait(page, page.locator('table#agreements tbody tr a').first());
    assert.match(pathOf(page), /^\/agreements\/[0-9a-f-]{36}$/);
    await check(page, `agreement (${lang})`);
    await page.close();
  });
}

test('agreements (es): the coordinator signs an agreement with a commitment and sees its progress', { timeout: TEST_TIMEOUT }, async () => {
  const page = await as('coordinator', 'es');
  await clickAndWait(page, page.locator('nav a[href="/agreements"]'));
  await check(page, 'agreements (es)');
  await clickAndWait(page, page.locator('a#new-agreement'));
  assert.equal(pathOf(page), '/agreements/new');
  await check(page, 'new agreement (es)');

  // Nothing filled in: refused with the error summary.
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(await errorSummaryText(page), /parte/);
  await check(page, 'new agreement with errors (es)');

  await page.locator('select#kind').selectOption('private_partnership');
  await page.locator('input#title_eu').fill('Auzoko dendak eta gazteak (proba)');
  await page.locator('input#title_es').fill('Comercios del barrio y juventud (prueba)');
  await page.locator('textarea#scope').fill('Prácticas y primeras contrataciones de jóvenes en el comercio del barrio.');
  const shops = await page.locator('select#party_organisation_1 option', { hasText: 'Merkatarien' }).first().getAttribute('value');
  await page.locator('select#party_organisation_1').selectOption(shops);
  await page.locator('select#party_role_1').selectOption('signatory');
  await page.locator('input[name="target_groups"][value="young_people"]').check();
  const start = new Date(Date.now() - 10 * DAY);
  await fillDate(page, 'starts_on', start);
  await fillDate(page, 'ends_on', new Date(start.getTime() + 365 * DAY));
  await page.locator('input#budget').fill('12.000,50');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(pathOf(page), /^\/agreements\/[0-9a-f-]{36}$/);
  const agreementPath = pathOf(page);
  assert.match(await page.locator('#agreement-status').innerText(), /Borrador/);
  await check(page, 'draft agreement (es)');

  // A commitment, counted by hand.
  await clickAndWait(page, page.locator('a#add-commitment'));
  await check(page, 'new commitment (es)');
  await page.locator('select#kind').selectOption('other');
  await page.locator('textarea#description').fill('Escaparates con ofertas de empleo juvenil');
  await page.locator('input#target').fill('5');
  await page.locator('input#unit').fill('comercios');
  await fillDate(page, 'due_on', new Date(Date.now() + 120 * DAY));
  await clickAndWait(page, page.locator('button#submit'));
  assert.equal(pathOf(page), agreementPath);
  assert.match(await page.locator('table#commitments').innerText(), /0 de 5 comercios \(0 %\)/);

  // Sign (the date is filled in with today) and activate.
  await clickAndWait(page, page.locator('button#move-signed'));
  assert.match(await page.locator('#agreement-status').innerText(), /Firmado/);
  await clickAndWait(page, page.locator('button#move-active'));
  assert.match(await page.locator('#agreement-status').innerText(), /En vigor/);
  await check(page, 'active agreement (es)');

  // Progress recorded on the commitment shows on the agreement, as a bar and as text.
  await clickAndWait(page, page.locator('table#commitments a').first());
  assert.match(pathOf(page), /^\/commitments\/[0-9a-f-]{36}$/);
  await check(page, 'commitment (es)');
  await page.locator('input#recorded_progress').fill('2');
  await page.locator('textarea#evidence').fill('Fotografías de los escaparates');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(await page.locator('main').innerText(), /2 de 5 comercios \(40 %\)/);
  await page.goto(agreementPath);
  assert.match(await page.locator('table#commitments').innerText(), /2 de 5 comercios \(40 %\)/);
  assert.equal(await page.locator('table#commitments progress[value="2"][max="5"]').count(), 1);
  await check(page, 'agreement with progress (es)');
  await page.close();
});
