// The ecosystem directory in the browser: the coordinator registers an organisation, first
// with a wrong check character in its CIF (error summary linked to the field), then fixed, and
// finds it in the list with the CPV filter. The directory, an organisation and the pole's pages
// are checked with axe-core (WCAG 2.2 AA) in Basque, Spanish and English.

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

const session = demoSession();
const as = session.as;
const check = checkPage;

for (const lang of LANGS) {
  test(`ecosystem in ${lang}: the directory, an organisation and the pole are accessible`, { timeout: TEST_TIMEOUT }, async () => {
    const page = await as('coordinator', lang);
    await clickAndWait(page, page.locator('nav a[href="/organisations"]'));
    assert.equal(pathOf(page), '/organisations');
    await check(page, `organisations (${lang})`);
    assert.ok(await page.locator('table#organisations tbody tr').count() > 20, 'the demo directory');
    await clickAndWait(page, page.locator('table#organisations tbody tr a', { hasText: 'Lanberri CEE' }).first());
    assert.match(pathOf(page), /^\/organisations\/[0-9a-f-]{36}$/);
    assert.match(await page.locator('main').innerText(), /Centro Especial de Empleo de iniciativa social/);
    await check(page, `organisation (${lang})`);
    await clickAndWait(page, page.locator('a#profile-current'));
    await check(page, `social audit form (${lang})`);
    await page.goto(`${session.server.baseURL}/pole/activities`);
    await check(page, `pole activities (${lang})`);
    await page.goto(`${session.server.baseURL}/pole/ventures`);
    await check(page, `ventures (${lang})`);
    await page.close();
  });
}

test('ecosystem (es): the coordinator registers an entity after fixing its CIF', { timeout: TEST_TIMEOUT }, async () => {
  const page = await as('coordinator', 'es');
  await clickAndWait(page, page.locator('nav a[href="/organisations"]'));
  await clickAndWait(page, page.locator('a#new-organisation'));
  assert.equal(pathOf(page), '/organisations/new');
  await check(page, 'new organisation (es)');
  await page.locator('input#name').fill('Ehuntza Berria Koop. (prueba)');
  await page.locator('input#tax_id').fill('F48700901');
  await page.locator('select#legal_form').selectOption('cooperative');
  await page.locator('select#sector').selectOption('c');
  await page.locator('textarea#activities').fill('18110000\n98393000');
  await page.locator('textarea#contacts').fill('Lide Prueba; socia; lide@ehuntza.example; 944 000 999');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(await errorSummaryText(page), /carácter de control|control/i);
  assert.equal(await page.locator('.govuk-error-summary a[href="#tax_id"]').count(), 1);
  await check(page, 'new organisation with errors (es)');
  // The check digit of F4870090 is 0.
  await page.locator('input#tax_id').fill('F48700900');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(pathOf(page), /^\/organisations\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('.govuk-notification-banner').count(), 1);
  assert.match(await page.locator('main').innerText(), /Lide Prueba/);
  await check(page, 'organisation registered (es)');
  await page.goto(`${session.server.baseURL}/organisations?cpv=1811`);
  assert.match(await page.locator('table#organisations').innerText(), /Ehuntza Berria/);
  await check(page, 'filtered directory (es)');
  await page.close();
});
