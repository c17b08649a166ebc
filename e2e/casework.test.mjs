// Casework in the browser, in each language: the lead opens a case from "My cases", records a
// needs assessment, adds a plan goal and an action and moves it, writes a note and records a
// coordination meeting. The DPO prints a subject access copy and sets retention periods; the
// administrator reads the assessment instrument. Every page (with and without errors) is
// checked with axe-core (WCAG 2.2 AA).

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

/** Picks the option at `index` of a select (0 is the "choose" placeholder). */
async function chooseOption(page, selector, index) {
  const value = await page.locator(`${selector} option`).nth(index).getAttribute('value');
  await page.locator(selector).selectOption(value);
}

for (const lang of LANGS) {
  test(`casework in ${lang}: assessment, plan, note and meeting on a case; DPO and admin pages`, { timeout: TEST_TIMEOUT }, async () => {
    const social = await as('social', lang);
    await clickAndWait(social, social.locator('nav a[href="/cases"]'));
    assert.equal(pathOf(social), '/cases');
    await check(social, `my cases (${lang})`);
    await clickAndWait(social, social.locator('table#caseload tbody tr a').first());
    assert.match(pathOf(social), /^\/cases\/[0-9a-f-]{36}$/);
    const casePath = pathOf(social);
    await check(social, `case with casework (${lang})`);

    // Needs assessment: refused empty, then saved.
    await clickAndWait(social, social.locator('a#new-assessment'));
    assert.equal(pathOf(social), `${casePath}/assessments/new`);
    await check(social, `assessment form (${lang})`);
    await clickAndWait(social, social.locator('button#save-assessment'));
    assert.ok((await errorSummaryText(social)).length > 0);
    await check(social, `assessment form with errors (${lang})`);
    await social.locator('select#domain-housing').selectOption('severe');
    await social.locator('select#domain-employment').selectOption('moderate');
    await social.locator('textarea#summary').fill(`Assessment ${lang}: housing first`);
    await clickAndWait(social, social.locator('button#save-assessment'));
    assert.equal(pathOf(social), casePath);
    await social.locator('.govuk-notification-banner').waitFor();
    assert.match(await social.locator('#assessment-summary').innerText(), new RegExp(`Assessment ${lang}`));

    // A goal, then an action that serves it, then its status.
    await clickAndWait(social, social.locator('a#new-goal'));
    await check(social, `goal form (${lang})`);
    await social.locator('select#domain').selectOption('housing');
    await social.locator('textarea#description').fill(`Goal ${lang}: a stable flat`);
    await clickAndWait(social, social.locator('button#save-goal'));
    assert.equal(pathOf(social), casePath);
    await clickAndWait(social, social.locator('a#new-action'));
    await check(social, `action form (${lang})`);
    const goal = social.locator('select#goal option', { hasText: `Goal ${lang}` }).first();
    await social.locator('select#goal').selectOption(await goal.getAttribute('value'));
    await chooseOption(social, 'select#agency', 1);
    await social.locator('textarea#description').fill(`Action ${lang}: apply for social rent`);
    await social.locator('input#due_on-day').fill('31');
    await social.locator('input#due_on-month').fill('2');
    await social.locator('input#due_on-year').fill('2027');
    await clickAndWait(social, social.locator('button#save-action'));
    assert.ok((await errorSummaryText(social)).length > 0, 'a date that does not exist is refused');
    await check(social, `action form with errors (${lang})`);
    await social.locator('input#due_on-day').fill('26');
    await clickAndWait(social, social.locator('button#save-action'));
    assert.equal(pathOf(social), casePath);
    const row = social.locator('table.plan-actions tbody tr', { hasText: `Action ${lang}` });
    assert.equal(await row.count(), 1);
    await row.locator('select').selectOption('in_progress');
    await clickAndWait(social, row.locator('button'));
    assert.equal(pathOf(social), casePath);
    await social.locator('.govuk-notification-banner').waitFor();
    const moved = social.locator('table.plan-actions tbody tr', { hasText: `Action ${lang}` });
    assert.equal(await moved.locator('select').inputValue(), 'in_progress');

    // A note for the team.
    await clickAndWait(social, social.locator('a#new-note'));
    await check(social, `note form (${lang})`);
    await social.locator('textarea#body').fill(`Note ${lang}: visited the housing office together`);
    await clickAndWait(social, social.locator('button#save-note'));
    assert.equal(pathOf(social), casePath);
    assert.match(await social.locator('#case-notes').innerText(), new RegExp(`Note ${lang}`));

    // A coordination meeting whose agreed action joins the plan.
    await clickAndWait(social, social.locator('a#new-meeting'));
    await check(social, `meeting form (${lang})`);
    await social.locator('input#held_on-day').fill('20');
    await social.locator('input#held_on-month').fill('11');
    await social.locator('input#held_on-year').fill('2026');
    await social.locator('input[name=agencies]').first().check();
    await social.locator('textarea#minutes').fill(`Minutes ${lang}: reviewed the housing plan`);
    await chooseOption(social, 'select#action-1-agency', 1);
    await social.locator('input#action-1-description').fill(`Agreed ${lang}: call the family`);
    await clickAndWait(social, social.locator('button#save-meeting'));
    assert.equal(pathOf(social), casePath);
    assert.match(await social.locator('#case-meetings').innerText(), new RegExp(`Minutes ${lang}`));
    assert.equal(await social.locator('table.plan-actions tbody tr', { hasText: `Agreed ${lang}` }).count(), 1);
    await check(social, `case after casework (${lang})`);
    await clickAndWait(social, social.locator('a#case-person'));
    const personPath = pathOf(social);
    // Correct the person's phone, then read the history of changes.
    await clickAndWait(social, social.locator('a#edit-person'));
    assert.equal(pathOf(social), `${personPath}/edit`);
    await check(social, `correct a person (${lang})`);
    const phone = { eu: '600 300 301', es: '600 300 302', en: '600 300 303' }[lang];
    await social.locator('input#phone').fill(phone);
    await clickAndWait(social, social.locator('button#register-person'));
    assert.equal(pathOf(social), personPath);
    await social.locator('.govuk-notification-banner').waitFor();
    await clickAndWait(social, social.locator('a#person-history'));
    assert.match(await social.locator('table#person-history').innerText(), new RegExp(phone));
    await check(social, `history of changes (${lang})`);
    await social.close();

    // The DPO: a subject access request recorded, started and answered with the printable
    // copy; then the retention periods.
    const dpo = await as('dpo', lang);
    await dpo.goto(`${personPath}/access-log`);
    await clickAndWait(dpo, dpo.locator('a#subject-access-link'));
    assert.equal(pathOf(dpo), '/subject-access-requests');
    await check(dpo, `subject access register (${lang})`);
    await clickAndWait(dpo, dpo.locator('button#sar-register-save'));
    assert.ok((await errorSummaryText(dpo)).length > 0, 'an empty request is refused');
    await check(dpo, `subject access register with errors (${lang})`);
    await dpo.locator('input#requester').fill(`Requester ${lang}`);
    await dpo.locator('select#relation').selectOption('person');
    await dpo.locator('select#identity_check').selectOption('identity_document');
    await dpo.locator('input#received_on').fill(new Date().toISOString().slice(0, 10));
    await clickAndWait(dpo, dpo.locator('button#sar-register-save'));
    await dpo.locator('.govuk-notification-banner').waitFor();
    const sarRow = dpo.locator('tr.sar-request', { hasText: `Requester ${lang}` });
    await clickAndWait(dpo, sarRow.locator('button.sar-start'));
    await clickAndWait(dpo, dpo.locator('tr.sar-request', { hasText: `Requester ${lang}` }).locator('a.sar-copy'));
    assert.match(pathOf(dpo), /^\/subject-access-requests\/[^/]+\/copy$/);
    assert.match(await dpo.locator('main').innerText(), new RegExp(`Note ${lang}`));
    await check(dpo, `subject access copy (${lang})`);
    await clickAndWait(dpo, dpo.locator('nav a[href="/dpo/retention"]'));
    await check(dpo, `retention periods (${lang})`);
    await dpo.locator('input#closed_case').fill('10');
    await clickAndWait(dpo, dpo.locator('button#save-retention'));
    assert.ok((await errorSummaryText(dpo)).length > 0);
    await check(dpo, `retention periods with errors (${lang})`);
    await dpo.locator('input#closed_case').fill('2190');
    await clickAndWait(dpo, dpo.locator('button#save-retention'));
    await dpo.locator('.govuk-notification-banner').waitFor();
    assert.equal(await dpo.locator('input#closed_case').inputValue(), '2190');
    await dpo.close();

    // The administrator reads the instrument and opens the form for a new version.
    const admin = await as('admin', lang);
    await clickAndWait(admin, admin.locator('nav a[href="/admin/instruments"]'));
    await check(admin, `assessment instrument (${lang})`);
    await clickAndWait(admin, admin.locator('a#new-instrument'));
    await check(admin, `new instrument version (${lang})`);
    await admin.close();
  });
}
