// Employment plans in the browser: the employment professional opens a demo person's
// employment file from the follow-ups due and enrols them in a training action; the trainer
// records a session's attendance on the roster; the employment professional records a
// placement, first with an end before its start (error summary), then a valid one. Every page
// visited is checked with axe-core (WCAG 2.2 AA); the file and the programmes in each language.

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

async function fillDate(page, id, d) {
  await page.locator(`#${id}-day`).fill(String(d.getUTCDate()));
  await page.locator(`#${id}-month`).fill(String(d.getUTCMonth() + 1));
  await page.locator(`#${id}-year`).fill(String(d.getUTCFullYear()));
}

/** Opens, from the follow-ups due, the employment file of the person with one overdue. */
async function openFileFromFollowUps(page, lang) {
  await clickAndWait(page, page.locator('nav a[href="/follow-ups"]'));
  assert.equal(pathOf(page), '/follow-ups');
  await check(page, `follow-ups due (${lang})`);
  assert.ok(await page.locator('table#follow-ups tbody tr').count() > 0, 'the demo has follow-ups due');
  await clickAndWait(page, page.locator('table#follow-ups tbody tr a[href$="/employment"]').first());
  assert.match(pathOf(page), /^\/people\/[0-9a-f-]{36}\/employment$/);
  await check(page, `employment file (${lang})`);
}

for (const lang of LANGS) {
  test(`employment in ${lang}: programmes, a programme and an employment file are accessible`, { timeout: TEST_TIMEOUT }, async () => {
    const lanbide = await as('lanbide', lang);
    await clickAndWait(lanbide, lanbide.locator('nav a[href="/programmes"]'));
    assert.equal(pathOf(lanbide), '/programmes');
    await check(lanbide, `programmes (${lang})`);
    await clickAndWait(lanbide, lanbide.locator('table#programmes tbody tr a').first());
    assert.match(pathOf(lanbide), /^\/programmes\/[0-9a-f-]{36}$/);
    await check(lanbide, `programme (${lang})`);
    await openFileFromFollowUps(lanbide, lang);
    assert.ok(await lanbide.locator('.govuk-inset-text').count() === 1, 'suggestions say they are suggestions');
    await lanbide.close();
  });
}

test('employment (es): lanbide enrols a person in a training action', { timeout: TEST_TIMEOUT }, async () => {
  const lanbide = await as('lanbide', 'es');
  await openFileFromFollowUps(lanbide, 'es');
  const filePath = pathOf(lanbide);
  await clickAndWait(lanbide, lanbide.locator('a#enrol'));
  assert.equal(pathOf(lanbide), filePath.replace('/employment', '/enrolments/new'));
  await check(lanbide, 'enrol form (es)');
  // Nothing chosen: refused with the error summary.
  await clickAndWait(lanbide, lanbide.locator('button#submit'));
  assert.match(await errorSummaryText(lanbide), /acción formativa/);
  await check(lanbide, 'enrol form with errors (es)');
  const value = await lanbide.locator('select#action option', { hasText: 'Mozo de almacén' }).first().getAttribute('value');
  await lanbide.locator('select#action').selectOption(value);
  await clickAndWait(lanbide, lanbide.locator('button#submit'));
  assert.equal(pathOf(lanbide), filePath);
  assert.match(await lanbide.locator('table#enrolments').innerText(), /Mozo de almacén/);
  await check(lanbide, 'employment file after enrolment (es)');
  await lanbide.close();
});

test('employment (es): the trainer records attendance on the roster', { timeout: TEST_TIMEOUT }, async () => {
  const trainer = await as('trainer', 'es');
  await clickAndWait(trainer, trainer.locator('nav a[href="/programmes"]'));
  await clickAndWait(trainer, trainer.locator('table#programmes tbody tr a', { hasText: 'Otxarkoaga' }).first());
  await check(trainer, 'programme as trainer (es)');
  await clickAndWait(trainer, trainer.locator('table#programme-actions a', { hasText: 'Mozo de almacén' }));
  assert.match(pathOf(trainer), /^\/training-actions\/[0-9a-f-]{36}$/);
  await check(trainer, 'training action (es)');
  await clickAndWait(trainer, trainer.locator('a#roster-link'));
  assert.match(pathOf(trainer), /\/roster$/);
  await check(trainer, 'roster (es)');
  const groups = trainer.locator('form#attendance-form fieldset');
  const n = await groups.count();
  assert.ok(n > 0, 'people on the roster');
  for (let i = 0; i < n; i++) {
    await groups.nth(i).locator('input[type="radio"][value="present"]').check();
  }
  await clickAndWait(trainer, trainer.locator('button#save-attendance'));
  assert.match(pathOf(trainer), /\/roster$/);
  assert.equal(await trainer.locator('.govuk-notification-banner').count(), 1);
  assert.match(await trainer.locator('table#roster').innerText(), /presentes/);
  await check(trainer, 'roster after attendance (es)');
  await trainer.close();
});

test('employment (es): lanbide records a placement, refused first with an end before its start', { timeout: TEST_TIMEOUT }, async () => {
  const lanbide = await as('lanbide', 'es');
  await openFileFromFollowUps(lanbide, 'es');
  const filePath = pathOf(lanbide);
  await clickAndWait(lanbide, lanbide.locator('a#record-placement'));
  await check(lanbide, 'placement form (es)');
  const start = new Date(Date.now() - 20 * 86_400_000);
  await lanbide.locator('input#employer').fill('Bizkaiko Logistika (prueba)');
  await lanbide.locator('select#contract_type').selectOption('special_employment_centre');
  await fillDate(lanbide, 'starts_on', start);
  await fillDate(lanbide, 'ends_on', new Date(start.getTime() - 30 * 86_400_000));
  await lanbide.locator('input#weekly_hours').fill('30');
  await lanbide.locator('select#occupation').selectOption('9333.8');
  await lanbide.locator('select#sector').selectOption('h');
  await clickAndWait(lanbide, lanbide.locator('button#submit'));
  assert.match(await errorSummaryText(lanbide), /fin del contrato/);
  assert.equal(await lanbide.locator('.govuk-error-summary a[href="#ends_on-day"]').count(), 1);
  await check(lanbide, 'placement form with errors (es)');
  await fillDate(lanbide, 'ends_on', new Date(start.getTime() + 365 * 86_400_000));
  await clickAndWait(lanbide, lanbide.locator('button#submit'));
  assert.equal(pathOf(lanbide), filePath);
  assert.match(await lanbide.locator('main').innerText(), /Bizkaiko Logistika \(prueba\)/);
  await check(lanbide, 'employment file after placement (es)');
  await lanbide.close();
});
