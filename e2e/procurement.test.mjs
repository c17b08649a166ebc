// Responsible procurement in the browser: the coordinator records a contract, adds a social
// clause and records a failed compliance check with a penalty, which the clause page shows
// prominently. Every page visited is checked with axe-core (WCAG 2.2 AA); the contracts list
// and a demo contract in each language.

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
  test(`procurement in ${lang}: contracts, a contract and the figures are accessible`, { timeout: TEST_TIMEOUT }, async () => {
    const coordinator = await as('coordinator', lang);
    await clickAndWait(coordinator, coordinator.locator('nav a[href="/contracts"]'));
    assert.equal(pathOf(coordinator), '/contracts');
    await check(coordinator, `contracts (${lang})`);
    assert.ok(await coordinator.locator('table#contracts tbody tr').count() >= 20, 'the demo year of contracts');
    await clickAndWait(coordinator, coordinator.locator('table#contracts tbody tr a', { hasText: '2026/CON/0001' }));
    assert.match(pathOf(coordinator), /^\/contracts\/[0-9a-f-]{36}$/);
    await check(coordinator, `contract (${lang})`);
    await clickAndWait(coordinator, coordinator.locator('table#clauses tbody tr a').first());
    assert.match(pathOf(coordinator), /^\/clauses\/[0-9a-f-]{36}$/);
    await check(coordinator, `clause (${lang})`);
    await coordinator.goto('/ecosystem/figures?year=2026');
    await check(coordinator, `figures (${lang})`);
    await coordinator.close();
  });
}

async function recordContractWithClauseAndCheck(lang, texts) {
  const page = await as('coordinator', lang);
  await page.goto('/contracts');
  await clickAndWait(page, page.locator('a#new-contract'));
  assert.equal(pathOf(page), '/contracts/new');
  await check(page, `new contract (${lang})`);
  // A negative amount is refused with the error summary.
  const file = `2026/E2E/${lang.toUpperCase()}${Date.now() % 100000}`;
  await page.locator('#file_number').fill(file);
  await page.locator('#title').fill(texts.title);
  await page.locator('#cpv').fill('90910000');
  await page.locator('#category').selectOption('services');
  await page.locator('#procedure').selectOption('open');
  await page.locator('#amount').fill('-100');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(await errorSummaryText(page), texts.negative);
  await check(page, `new contract with errors (${lang})`);
  await page.locator('#amount').fill('48.000');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(pathOf(page), /^\/contracts\/[0-9a-f-]{36}$/);
  await check(page, `contract recorded (${lang})`);

  await clickAndWait(page, page.locator('a#new-clause'));
  await check(page, `new clause (${lang})`);
  await page.locator('#stage').selectOption('execution_condition');
  await page.locator('#purpose').selectOption('hiring_at_risk');
  await page.locator('#description').fill(texts.clause);
  await page.locator('#penalty').fill('1 %');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(pathOf(page), /^\/clauses\/[0-9a-f-]{36}$/);
  await check(page, `clause (${lang})`);

  await clickAndWait(page, page.locator('a#new-check'));
  await check(page, `new check (${lang})`);
  await page.locator('#checked_on-day').fill('30');
  await page.locator('#checked_on-month').fill('9');
  await page.locator('#checked_on-year').fill('2026');
  await page.locator('input[name="verdict"][value="non_compliant"]').check();
  await page.locator('#evidence').fill('TC2');
  await page.locator('#penalty').fill('1.200');
  await clickAndWait(page, page.locator('button#submit'));
  assert.match(pathOf(page), /^\/clauses\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.app-procurement-warning').first().innerText(), /1\.200,00/);
  assert.match(await page.locator('table#checks').innerText(), texts.verdict);
  await check(page, `clause with a failed check (${lang})`);
  await page.close();
}

test('procurement (es): the coordinator records a contract with a social clause and its check', { timeout: TEST_TIMEOUT }, async () => {
  await recordContractWithClauseAndCheck('es', {
    title: 'Limpieza de la biblioteca de Otxarkoaga',
    negative: /no puede ser negativo/,
    clause: 'Contratar a una persona del programa de empleo',
    verdict: /No cumple/,
  });
});

test('procurement (eu): the coordinator records a contract with a social clause and its check', { timeout: TEST_TIMEOUT }, async () => {
  await recordContractWithClauseAndCheck('eu', {
    title: 'Otxarkoagako liburutegiaren garbiketa',
    negative: /ezin da negatiboa izan/,
    clause: 'Enplegu-programako pertsona bat kontratatzea',
    verdict: /Ez du betetzen/,
  });
});
