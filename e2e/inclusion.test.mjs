// Coordination of social inclusion in the browser, in each language: a social worker registers a
// person and sends a referral, the employment agency accepts it from its inbox, the social worker
// records and withdraws a consent, and an emergency access is reviewed by the DPO. Every page
// visited (with and without errors) is checked with axe-core (WCAG 2.2 AA).
//
// Run: npm test (from e2e/), with the server binary built (see lib.mjs for the environment).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  LANGS,
  assertShell,
  checkA11y,
  clickAndWait,
  errorSummaryText,
  freshPage,
  launchBrowser,
  pathOf,
  signIn,
  startServer,
  switchLanguage,
} from './lib.mjs';

const TEST_TIMEOUT = 300_000;

let server;
let browser;
let context;

before(async () => {
  server = await startServer();
  browser = await launchBrowser(server.baseURL);
  context = browser.context;
}, { timeout: 180_000 });

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** A fresh tab signed in as `user`, with `lang` chosen (and remembered for the account). */
async function as(user, lang) {
  const page = await freshPage(context);
  await signIn(page, user, { lang });
  await switchLanguage(page, lang);
  return page;
}

/** Shell and axe on the current page. */
async function check(page, label) {
  await assertShell(page, label);
  await checkA11y(page, label);
}

// Surnames differ per language so that each run registers a new person.
const SURNAME = { eu: 'Probaeu', es: 'Probaes', en: 'Probaen' };

for (const lang of LANGS) {
  test(`inclusion flow in ${lang}: person, case, referral accepted by another agency, consent withdrawn`, { timeout: TEST_TIMEOUT }, async () => {
    const name = `Itziar ${SURNAME[lang]} Saiakera`;

    // The social worker searches, then registers the person.
    const social = await as('social', lang);
    await clickAndWait(social, social.locator('nav a[href="/people"]'));
    await check(social, `people search (${lang})`);
    await social.locator('form#person-search input#q').fill(SURNAME[lang]);
    await clickAndWait(social, social.locator('form#person-search button#search'));
    assert.equal(pathOf(social), '/people');
    await check(social, `people search results (${lang})`);

    await clickAndWait(social, social.locator('a#new-person'));
    assert.equal(pathOf(social), '/people/new');
    await check(social, `register a person (${lang})`);
    await clickAndWait(social, social.locator('button#register-person'));
    assert.ok((await errorSummaryText(social)).length > 0);
    await check(social, `register a person with errors (${lang})`);

    await social.locator('input#given_name').fill('Itziar');
    await social.locator('input#surname1').fill(SURNAME[lang]);
    await social.locator('input#surname2').fill('Saiakera');
    await social.locator('input#document_kind-none').check();
    await social.locator('input#birth_date-day').fill('14');
    await social.locator('input#birth_date-month').fill('2');
    await social.locator('input#birth_date-year').fill('1979');
    await social.locator('input#sex').check();
    await social.locator('input#languages').fill('eu, es');
    await social.locator('input#preferred_lang').check();
    await social.locator('input#phone').fill('600 100 200');
    await clickAndWait(social, social.locator('button#register-person'));
    if (pathOf(social) === '/people/new') {
      // Possible duplicates in the demo: the warning lists them; confirm a new record.
      await social.locator('#duplicate-candidates').waitFor();
      await check(social, `register a person, possible duplicates (${lang})`);
      await social.locator('input#confirmed_new').check();
      await clickAndWait(social, social.locator('button#register-person'));
    }
    assert.match(pathOf(social), /^\/cases\/[0-9a-f-]{36}$/, `after registering: ${social.url()}`);
    const casePath = pathOf(social);
    assert.match(await social.locator('h1').innerText(), new RegExp(SURNAME[lang]));
    await check(social, `case (${lang})`);

    // A referral to the employment agency, choosing it by its published capacity.
    await clickAndWait(social, social.locator('a#new-referral'));
    assert.equal(pathOf(social), `${casePath}/referrals/new`);
    await check(social, `send a referral (${lang})`);
    await clickAndWait(social, social.locator('button#send-referral'));
    assert.ok((await errorSummaryText(social)).length > 0);
    await check(social, `send a referral with errors (${lang})`);
    const lanbide = social.locator('.govuk-radios__item', { hasText: 'Lanbide' }).first();
    await lanbide.locator('input[type=radio]').check();
    await social.locator('textarea#reason').fill('Orientación laboral y búsqueda de empleo');
    await social.locator('input#urgency').check();
    await clickAndWait(social, social.locator('button#send-referral'));
    assert.equal(pathOf(social), casePath);
    await social.locator('.govuk-notification-banner').waitFor();
    assert.equal(await social.locator('table#case-referrals tbody tr').count(), 1);
    await check(social, `case with a referral (${lang})`);
    await social.close();

    // The employment agency accepts it from its inbox.
    const employment = await as('lanbide', lang);
    await clickAndWait(employment, employment.locator('nav a[href="/referrals"]'));
    assert.equal(pathOf(employment), '/referrals');
    await check(employment, `referral inbox (${lang})`);
    const row = employment.locator('table#inbox tbody tr', { hasText: name });
    assert.equal(await row.count(), 1, `the inbox lists ${name}`);
    await clickAndWait(employment, row.locator('button.accept-referral'));
    assert.equal(pathOf(employment), '/referrals');
    await employment.locator('.govuk-notification-banner').waitFor();
    await employment.locator('table#inbox tbody tr', { hasText: name }).locator('button.start-referral').waitFor();
    await check(employment, `referral inbox after accepting (${lang})`);
    await employment.close();

    // Back on the case, the referral is accepted; then a consent is recorded and withdrawn.
    const back = await as('social', lang);
    await back.goto(casePath);
    assert.equal(await back.locator('table#case-referrals tbody .govuk-tag').count(), 1);
    await clickAndWait(back, back.locator('a#case-person'));
    assert.match(pathOf(back), /^\/people\/[0-9a-f-]{36}$/);
    const personPath = pathOf(back);
    await check(back, `person (${lang})`);
    await clickAndWait(back, back.locator('a#new-consent'));
    await check(back, `record a consent (${lang})`);
    await clickAndWait(back, back.locator('button#record-consent'));
    assert.ok((await errorSummaryText(back)).length > 0);
    await check(back, `record a consent with errors (${lang})`);
    await back.locator('textarea#purpose').fill('Coordinación con vivienda municipal');
    await back.locator('input[name=recipients][value=housing]').check();
    await back.locator('input[name=categories][value=housing]').check();
    await back.locator('textarea#evidence').fill('Formulario firmado 2026-77');
    await clickAndWait(back, back.locator('button#record-consent'));
    assert.equal(pathOf(back), personPath);
    await back.locator('.govuk-notification-banner').waitFor();
    assert.equal(await back.locator('button.withdraw-consent').count(), 1);
    await check(back, `person with a consent (${lang})`);
    await clickAndWait(back, back.locator('button.withdraw-consent'));
    assert.equal(pathOf(back), personPath);
    await back.locator('.govuk-notification-banner').waitFor();
    assert.equal(await back.locator('button.withdraw-consent').count(), 0);
    await check(back, `person after withdrawing consent (${lang})`);
    // The printable receipt, in the person's preferred language.
    await clickAndWait(back, back.locator('a.consent-receipt').first());
    assert.match(pathOf(back), /\/consents\/[0-9a-f-]+\/receipt$/);
    await back.locator('#receipt').waitFor();
    await check(back, `consent receipt (${lang})`);
    await back.close();

    // Emergency access by a professional outside the team, reviewed by the DPO.
    const school = await as('education', lang);
    // Outside the team the person's page is not shown; it offers emergency access instead.
    await school.goto(personPath);
    await school.locator('a#emergency-access').waitFor();
    await checkA11y(school, `person not shown, emergency access offered (${lang})`);
    await clickAndWait(school, school.locator('a#emergency-access'));
    // The same form for any id: it is sent for the person, whose page then shows what was opened.
    assert.equal(pathOf(school), `${personPath}/break-glass`);
    await check(school, `emergency access (${lang})`);
    await clickAndWait(school, school.locator('button#break-glass'));
    assert.ok((await errorSummaryText(school)).length > 0);
    await check(school, `emergency access with errors (${lang})`);
    await school.locator('textarea#reason').fill('The pupil has not come to school for a week and nobody answers');
    await clickAndWait(school, school.locator('button#break-glass'));
    assert.equal(pathOf(school), personPath);
    await clickAndWait(school, school.locator('a#person-case'));
    assert.equal(pathOf(school), casePath);
    await check(school, `case opened in an emergency (${lang})`);
    await school.close();

    const dpo = await as('dpo', lang);
    await clickAndWait(dpo, dpo.locator('nav a[href="/dpo/break-glass"]'));
    await check(dpo, `emergency access reviews (${lang})`);
    const review = dpo.locator('table#break-glass-reviews tbody tr', { hasText: 'nobody answers' }).first();
    await clickAndWait(dpo, review.locator('button.review-break-glass'));
    assert.ok((await errorSummaryText(dpo)).length > 0);
    await check(dpo, `emergency access reviews with errors (${lang})`);
    const again = dpo.locator('table#break-glass-reviews tbody tr', { hasText: 'nobody answers' }).first();
    await clickAndWait(dpo, again.locator('a[href$="/access-log"]'));
    assert.match(pathOf(dpo), /\/access-log$/);
    await check(dpo, `access log (${lang})`);
    await dpo.goto('/dpo/break-glass');
    const row2 = dpo.locator('table#break-glass-reviews tbody tr', { hasText: 'nobody answers' }).first();
    await row2.locator('input[value=justified]').check();
    await clickAndWait(dpo, row2.locator('button.review-break-glass'));
    await dpo.locator('.govuk-notification-banner').waitFor();
    await check(dpo, `emergency access reviews after a review (${lang})`);
    await dpo.close();
  });
}
