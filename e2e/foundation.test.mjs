// Foundation end-to-end tests: page shell, languages, sign-in, roles, admin, audit, account,
// error pages and accessibility (axe-core, WCAG 2.2 AA) on every page visited.
//
// Run: npm test (from e2e/), with the server binary built (see lib.mjs for the environment).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  DEMO_PASSWORD,
  LANGS,
  assertShell,
  checkA11y,
  clickAndWait,
  errorSummaryText,
  freshPage,
  h1Text,
  htmlLang,
  launchBrowser,
  pathOf,
  signIn,
  signOut,
  startServer,
  switchLanguage,
} from './lib.mjs';

const TEST_TIMEOUT = 180_000;

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

/** Run fn with a fresh anonymous tab, closing it afterwards. */
async function withPage(fn, options) {
  const page = await freshPage(context, options);
  try {
    return await fn(page);
  } finally {
    await page.close().catch(() => {});
  }
}

/**
 * The error message shown for one form field: a .govuk-error-message either referenced by the
 * field's aria-describedby, or inside the nearest ancestor that holds this field and no other.
 * Returns its text, or null.
 */
async function fieldError(page, id) {
  return page.evaluate((fieldId) => {
    const field = document.getElementById(fieldId);
    if (!field) return null;
    const text = (el) => el.textContent.replace(/\s+/g, ' ').trim();
    for (const ref of (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)) {
      const el = document.getElementById(ref);
      if (el && el.matches('.govuk-error-message')) return text(el);
    }
    const isField = (el) => el.matches('input:not([type=hidden]), select, textarea');
    for (let node = field.parentElement; node && node !== document.body; node = node.parentElement) {
      const others = [...node.querySelectorAll('input, select, textarea')].filter((el) => el !== field && isField(el));
      if (others.length > 0) break;
      const msg = node.querySelector('.govuk-error-message');
      if (msg) return text(msg);
    }
    return null;
  }, id);
}

/** Rows of a table body that carry data (at least one td and two cells; not an empty-state row). */
async function dataRows(page, tableSelector) {
  return page
    .locator(`${tableSelector} tbody tr`)
    .evaluateAll((rows) => rows.filter((r) => r.querySelector('td') && r.cells.length >= 2).length);
}

async function assertSignedInChrome(page, label) {
  assert.ok(await page.locator('nav.app-navigation').isVisible(), `${label}: nav.app-navigation is not visible when signed in`);
  assert.ok(await page.locator('button#sign-out').isVisible(), `${label}: button#sign-out is not visible when signed in`);
}

// ---------------------------------------------------------------------------------------------

test('default language comes from Accept-Language, else Basque', { timeout: TEST_TIMEOUT }, async (t) => {
  const cases = [
    ['es-ES,es;q=0.9,en;q=0.5', 'es'],
    ['en-GB,en;q=0.8', 'en'],
    ['eu-ES,eu;q=0.9', 'eu'],
    ['fr-FR,fr;q=0.9', 'eu'],
  ];
  for (const [acceptLanguage, expected] of cases) {
    await t.test(`Accept-Language: ${acceptLanguage}`, () =>
      withPage(async (page) => {
        await page.goto('/login');
        assert.equal(await htmlLang(page), expected, `GET /login with Accept-Language "${acceptLanguage}"`);
      }, { acceptLanguage }));
  }
});

test('1. login page in each language: switch, empty submit, wrong password; axe-clean', { timeout: TEST_TIMEOUT }, async (t) => {
  // A start language different from the target, so the switch visibly changes html[lang];
  // one user per language for the wrong password, none of them used elsewhere (no lockout risk).
  const plan = {
    eu: { start: 'en', user: 'housing' },
    es: { start: 'eu', user: 'health' },
    en: { start: 'es', user: 'education' },
  };
  for (const lang of LANGS) {
    await t.test(lang, () =>
      withPage(async (page) => {
        const { start, user } = plan[lang];
        await page.goto('/login');
        assert.equal(await htmlLang(page), start, `/login with Accept-Language ${start}`);
        await assertShell(page, `login (${start})`);

        await switchLanguage(page, lang);
        assert.equal(pathOf(page), '/login', 'the language switch on /login should come back to /login');
        await assertShell(page, `login (${lang})`);

        // The form of the contract, and no signed-in chrome.
        const form = page.locator('form#login');
        assert.equal(await form.locator('input#username[name="username"]').count(), 1, 'input#username[name=username]');
        assert.equal(await form.locator('input#password[name="password"][type="password"]').count(), 1, 'input#password[name=password][type=password]');
        const csrf = form.locator('input[type="hidden"][name="csrf"]');
        assert.equal(await csrf.count(), 1, 'hidden input[name=csrf] in form#login');
        assert.ok(((await csrf.getAttribute('value')) || '').length >= 16, 'the csrf field should carry a token');
        assert.equal(await form.locator('button#sign-in').count(), 1, 'button#sign-in');
        assert.equal(await page.locator('button#sign-out').count(), 0, 'no sign-out button when anonymous');
        assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'no error summary before submitting');
        await checkA11y(page, `login ${lang}`);

        // Empty submit: per-field errors linked from the summary.
        await clickAndWait(page, page.locator('form#login button#sign-in'));
        assert.equal(pathOf(page), '/login', 'an empty sign-in stays on /login');
        assert.equal(await htmlLang(page), lang, 'the error page keeps the chosen language');
        await errorSummaryText(page);
        const summary = page.locator('.govuk-error-summary');
        const role = (await summary.getAttribute('role')) || (await summary.locator('[role="alert"]').count() ? 'alert' : null);
        assert.equal(role, 'alert', '.govuk-error-summary should have role=alert');
        assert.equal(await summary.locator('a[href="#username"]').count(), 1, 'error summary links to #username');
        assert.equal(await summary.locator('a[href="#password"]').count(), 1, 'error summary links to #password');
        assert.ok(await fieldError(page, 'username'), 'a .govuk-error-message for the username field');
        assert.ok(await fieldError(page, 'password'), 'a .govuk-error-message for the password field');
        const focused = await page.evaluate(() => !!document.activeElement?.closest('.govuk-error-summary'));
        if (!focused) t.diagnostic(`${lang}: error summary present but not focused on load`);
        await assertShell(page, `login empty (${lang})`);
        await checkA11y(page, `login ${lang} empty-fields error`);

        // Wrong password and unknown user: one generic message.
        await page.locator('input#username').fill(user);
        await page.locator('input#password').fill('Wrong-password-e2e-1');
        await clickAndWait(page, page.locator('form#login button#sign-in'));
        assert.equal(pathOf(page), '/login', `wrong password for ${user} stays on /login`);
        const wrongPassword = await errorSummaryText(page);
        await assertShell(page, `login wrong password (${lang})`);
        await checkA11y(page, `login ${lang} wrong-password error`);

        // Once is enough: failed sign-ins from one address are throttled after 10 in 15 minutes.
        if (lang === 'en') {
          await page.locator('input#username').fill('nosuchuser');
          await page.locator('input#password').fill('Wrong-password-e2e-1');
          await clickAndWait(page, page.locator('form#login button#sign-in'));
          assert.equal(pathOf(page), '/login', 'unknown user stays on /login');
          const unknownUser = await errorSummaryText(page);
          assert.equal(unknownUser, wrongPassword, 'unknown user and wrong password must give the same message');
          assert.equal(await htmlLang(page), lang);
        }
      }, { acceptLanguage: plan[lang].start }));
  }
});

test('2. each role signs in and sees its navigation; /home and /account axe-clean', { timeout: TEST_TIMEOUT }, async (t) => {
  const users = ['admin', 'coordinator', 'lanbide', 'social', 'trainer', 'analyst', 'dpo'];
  for (const [i, user] of users.entries()) {
    const lang = LANGS[i % LANGS.length];
    await t.test(`${user} (${lang})`, () =>
      withPage(async (page) => {
        await signIn(page, user, { lang });
        const landed = await htmlLang(page);
        if (landed !== lang) t.diagnostic(`${user}: chose ${lang} on /login, /home came in ${landed}`);
        await switchLanguage(page, lang); // signed-in switch: cookie + preference
        assert.equal(pathOf(page), '/home', 'the language switch on /home should come back to /home');
        await assertShell(page, `home ${user}`);
        await assertSignedInChrome(page, `home ${user}`);
        assert.ok((await h1Text(page)).length > 0, 'the /home h1 has text');

        const has = async (href) => (await page.locator(`a[href="${href}"]`).count()) > 0;
        assert.ok(await has('/account'), `${user} should see a link to /account`);
        assert.equal(await has('/admin/users'), user === 'admin', `${user}: link to /admin/users`);
        if (user === 'admin') assert.ok(await has('/admin/agencies'), 'admin should see a link to /admin/agencies');
        assert.equal(await has('/audit'), user === 'dpo', `${user}: link to /audit`);
        // No dead ends: every navigation link opens for this user (a 200 page, not a 403).
        const navLinks = await page.locator('nav.app-navigation a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        for (const href of navLinks) {
          const res = await context.request.get(href, { maxRedirects: 0 });
          assert.equal(res.status(), 200, `${user}: navigation link ${href} answers ${res.status()}`);
        }
        const agencies = await context.request.get('/admin/agencies', { maxRedirects: 0 });
        t.diagnostic(`${user}: /admin/agencies link ${await has('/admin/agencies') ? 'shown' : 'hidden'}, page answers ${agencies.status()}`);
        await checkA11y(page, `home ${user} ${lang}`);

        await page.goto('/account');
        assert.equal(pathOf(page), '/account');
        await assertShell(page, `account ${user}`);
        await assertSignedInChrome(page, `account ${user}`);
        assert.equal(await htmlLang(page), lang, 'the chosen language sticks across pages');
        assert.ok((await page.locator('a[href="/account/password"]').count()) > 0, '/account links to /account/password');
        assert.ok((await page.locator('a[href="/account/totp"]').count()) > 0, '/account links to /account/totp');
        await checkA11y(page, `account ${user} ${lang}`);
      }));
  }
});

test('3. admin manages users and sees agencies', { timeout: TEST_TIMEOUT }, () =>
  withPage(async (page) => {
    await signIn(page, 'admin', { lang: 'en' });
    await page.goto('/admin/users');
    assert.equal(pathOf(page), '/admin/users');
    await assertShell(page, 'admin users');
    assert.ok((await dataRows(page, 'table')) >= 11, '/admin/users lists the demo users in a table');
    assert.match(await page.locator('main').innerText(), /coordinator/, '/admin/users shows the coordinator account');
    await checkA11y(page, 'admin users list');

    const newUser = page.locator('a#new-user');
    assert.equal(await newUser.getAttribute('href'), '/admin/users/new', 'a#new-user links to /admin/users/new');
    await clickAndWait(page, newUser);
    assert.equal(pathOf(page), '/admin/users/new');
    await assertShell(page, 'new user');
    for (const sel of ['input#username', 'input#display_name', 'input#email', 'select#role', 'select#agency', 'button#create-user']) {
      assert.equal(await page.locator(sel).count(), 1, `new user form: ${sel}`);
    }
    assert.equal(await page.locator('input[type="password"]').count(), 0, 'an administrator never chooses a password for someone else');
    await checkA11y(page, 'new user form');

    // Invalid input.
    await page.locator('input#username').fill('Bad User!');
    await page.locator('input#display_name').fill('');
    await page.locator('input#email').fill('not-an-email');
    await clickAndWait(page, page.locator('button#create-user'));
    assert.doesNotMatch(pathOf(page), /^\/admin\/users\/(?!new$)[^/]+$/, 'invalid input must not create a user');
    await errorSummaryText(page);
    assert.ok((await page.locator('.govuk-error-message').count()) >= 1, 'invalid input shows per-field errors');
    await assertShell(page, 'new user errors');
    await checkA11y(page, 'new user form with errors');

    // Valid input.
    const username = `e2e${Date.now().toString(36)}`;
    const roleOptions = await page.locator('select#role option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert.ok(roleOptions.length > 0, 'select#role has options');
    const role = roleOptions.find((v) => /coordinat/i.test(v)) || roleOptions[0];
    await page.locator('input#username').fill(username);
    await page.locator('input#display_name').fill('E2E Test User');
    await page.locator('input#email').fill(`${username}@example.org`);
    await page.locator('select#role').selectOption(role);
    await clickAndWait(page, page.locator('button#create-user'));
    if (!/^\/admin\/users\/(?!new$)[^/]+$/.test(pathOf(page))) {
      const errors = await page.locator('.govuk-error-summary').allInnerTexts();
      assert.fail(`creating ${username} (role ${role}) ended on ${page.url()}, errors: ${JSON.stringify(errors)}`);
    }
    assert.match(await page.locator('main').innerText(), new RegExp(username), 'the new user page shows the username');
    assert.equal(await page.locator('form#user-enrolment button#send-enrolment').count(), 1, 'the user page offers to re-send the password link');
    await assertShell(page, 'user page');
    await checkA11y(page, 'new user page');

    await page.goto('/admin/users');
    assert.match(await page.locator('main').innerText(), new RegExp(username), 'the list shows the new user');

    await page.goto('/admin/agencies');
    assert.equal(pathOf(page), '/admin/agencies');
    await assertShell(page, 'admin agencies');
    assert.ok((await dataRows(page, 'table')) >= 1, '/admin/agencies lists agencies in a table');
    await checkA11y(page, 'admin agencies');
  }));

test('4. dpo reads the audit trail, filtered by actor', { timeout: TEST_TIMEOUT }, async () => {
  // Make sure there is an admin sign-in to find.
  await withPage(async (page) => {
    await signIn(page, 'admin');
    await signOut(page);
  });
  await withPage(async (page) => {
    await signIn(page, 'dpo', { lang: 'es' });
    await page.goto('/audit');
    assert.equal(pathOf(page), '/audit');
    await assertShell(page, 'audit');
    const form = page.locator('form#audit-filter');
    assert.equal(((await form.getAttribute('method')) || 'get').toLowerCase(), 'get', 'form#audit-filter uses GET');
    for (const sel of ['input#actor', 'input#action', 'input#entity_type', 'button#filter']) {
      assert.equal(await form.locator(sel).count(), 1, `audit filter: ${sel}`);
    }
    assert.ok((await dataRows(page, 'table#audit-events')) >= 1, 'table#audit-events has rows');
    await checkA11y(page, 'audit');

    await form.locator('input#actor').fill('admin');
    await clickAndWait(page, form.locator('button#filter'));
    assert.equal(pathOf(page), '/audit');
    assert.equal(new URL(page.url()).searchParams.get('actor'), 'admin', 'the filter is in the query string');
    assert.ok((await dataRows(page, 'table#audit-events')) >= 1, 'filtering by actor "admin" shows at least one event');
    await checkA11y(page, 'audit filtered');

    await page.goto('/audit?actor=nosuchactore2e');
    assert.equal(await dataRows(page, 'table#audit-events'), 0, 'an actor with no events shows no event rows');
    await checkA11y(page, 'audit empty');

    // Who searched for a name: a GET form; a name nobody searched for lists nothing.
    await page.goto('/audit');
    await clickAndWait(page, page.locator('a#audit-searches-link'));
    assert.equal(pathOf(page), '/audit/searches');
    await assertShell(page, 'audit searches');
    const searches = page.locator('form#audit-searches');
    await searches.locator('input#name').fill('Nobodyever Searchedfor');
    await clickAndWait(page, searches.locator('button#find-searches'));
    assert.equal(await page.locator('#audit-searches-empty').count(), 1, 'no search included this name');
    await checkA11y(page, 'audit searches empty');
    const res = await page.goto('/audit/searches?name=a');
    assert.equal(res.status(), 422, 'a one-letter name is refused with its own message');
    await checkA11y(page, 'audit searches error');
  });
});

test('5. forbidden and unknown pages are translated, full pages, axe-clean', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(async (page) => {
    await signIn(page, 'analyst');
    await switchLanguage(page, 'eu');
    let res = await page.goto('/admin/users');
    assert.equal(res.status(), 403, 'analyst GET /admin/users');
    await assertShell(page, '403 eu');
    assert.equal(await htmlLang(page), 'eu');
    const h1eu = await h1Text(page);
    await checkA11y(page, '403 eu');

    await switchLanguage(page, 'en'); // the switch on the 403 page itself
    res = await page.goto('/admin/users');
    assert.equal(res.status(), 403, 'analyst GET /admin/users (en)');
    assert.equal(await htmlLang(page), 'en');
    const h1en = await h1Text(page);
    assert.notEqual(h1en, h1eu, `the 403 h1 should be translated (eu: "${h1eu}", en: "${h1en}")`);
    await assertShell(page, '403 en');
    await checkA11y(page, '403 en');

    res = await page.goto('/audit');
    assert.equal(res.status(), 403, 'analyst GET /audit');

    res = await page.goto('/no-such-page');
    assert.equal(res.status(), 404, 'GET /no-such-page signed in');
    await assertShell(page, '404 signed in');
    await checkA11y(page, '404 signed in');
  });

  const anon404 = {};
  for (const lang of ['eu', 'en']) {
    await withPage(async (page) => {
      const res = await page.goto('/no-such-page');
      assert.equal(res.status(), 404, `GET /no-such-page anonymous (${lang})`);
      assert.equal(await htmlLang(page), lang);
      await assertShell(page, `404 anonymous ${lang}`);
      anon404[lang] = await h1Text(page);
      await checkA11y(page, `404 anonymous ${lang}`);
    }, { acceptLanguage: lang });
  }
  assert.notEqual(anon404.eu, anon404.en, 'the 404 h1 should be translated');
});

test('6. account: password rules per field; TOTP page (no enrolment)', { timeout: TEST_TIMEOUT }, () =>
  withPage(async (page) => {
    await signIn(page, 'coordinator', { lang: 'es' });
    await page.goto('/account/password');
    assert.equal(pathOf(page), '/account/password');
    await assertShell(page, 'account password');
    for (const sel of ['input#current_password', 'input#new_password', 'input#confirm_password', 'button#save-password']) {
      assert.equal(await page.locator(sel).count(), 1, `password form: ${sel}`);
    }
    await checkA11y(page, 'account password');

    const attempt = async (current, next, confirm) => {
      await page.locator('input#current_password').fill(current);
      await page.locator('input#new_password').fill(next);
      await page.locator('input#confirm_password').fill(confirm);
      await clickAndWait(page, page.locator('button#save-password'));
      assert.equal(pathOf(page), '/account/password', 'a rejected change stays on /account/password');
      await errorSummaryText(page);
    };

    await attempt(DEMO_PASSWORD, 'bilbao123456789', 'bilbao123456789');
    assert.ok(await fieldError(page, 'new_password'), 'a blocklisted new password gets an error on #new_password');
    assert.equal(await page.locator('.govuk-error-summary a[href="#new_password"]').count(), 1, 'the summary links to #new_password');
    await assertShell(page, 'account password blocklisted');
    await checkA11y(page, 'account password blocklisted');

    await attempt(DEMO_PASSWORD, 'Ab1-x', 'Ab1-x');
    assert.ok(await fieldError(page, 'new_password'), 'a too short new password gets an error on #new_password');

    await attempt(DEMO_PASSWORD, 'E2e-long-passphrase-2026-a', 'E2e-long-passphrase-2026-b');
    assert.ok(await fieldError(page, 'confirm_password'), 'a mismatched confirmation gets an error on #confirm_password');

    await attempt('Not-the-current-password-1', 'E2e-long-passphrase-2026-a', 'E2e-long-passphrase-2026-a');
    assert.ok(await fieldError(page, 'current_password'), 'a wrong current password gets an error on #current_password');
    await checkA11y(page, 'account password wrong current');

    await page.goto('/account/totp');
    assert.equal(pathOf(page), '/account/totp');
    await assertShell(page, 'account totp');
    const secret = ((await page.locator('#totp-secret').innerText()) || '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}=*$/, `#totp-secret shows a base32 secret (got "${secret}")`);
    assert.equal(await page.locator('input#code').count(), 1, 'input#code');
    assert.equal(await page.locator('button#enable-totp').count(), 1, 'button#enable-totp');
    await checkA11y(page, 'account totp');
  }));

test('7. sign out ends the session', { timeout: TEST_TIMEOUT }, () =>
  withPage(async (page) => {
    await signIn(page, 'trainer');
    const cookieHeader = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    await signOut(page);
    assert.equal(pathOf(page), '/login', 'sign-out lands on /login');
    await assertShell(page, 'after sign-out');
    assert.equal(await page.locator('button#sign-out').count(), 0, 'no sign-out button after signing out');

    await page.goto('/home');
    assert.equal(pathOf(page), '/login', '/home after sign-out ends on /login');

    const res = await context.request.get('/home', { maxRedirects: 0 });
    assert.equal(res.status(), 303, 'anonymous GET /home answers 303');
    assert.equal(new URL(res.headers()['location'], server.baseURL).pathname, '/login', 'and redirects to /login');

    // The old session cookie must be dead on the server too, not just dropped by the browser.
    const replay = await fetch(`${server.baseURL}/home`, { headers: { Cookie: cookieHeader }, redirect: 'manual' });
    assert.equal(replay.status, 303, 'GET /home with the signed-out session cookie must not be served');
    assert.equal(new URL(replay.headers.get('location'), server.baseURL).pathname, '/login');
  }));

test('8. /api/docs is a browsable, axe-clean page', { timeout: TEST_TIMEOUT }, () =>
  withPage(async (page) => {
    let res = await page.goto('/api/docs');
    if (pathOf(page) === '/login') {
      await signIn(page, 'analyst');
      res = await page.goto('/api/docs');
    }
    assert.equal(res.status(), 200, 'GET /api/docs');
    assert.equal(pathOf(page), '/api/docs');
    assert.match(res.headers()['content-type'] || '', /text\/html/, '/api/docs is HTML');
    await assertShell(page, 'api docs');
    await checkA11y(page, 'api docs');
  }));

test('9. operational endpoints', { timeout: TEST_TIMEOUT }, async () => {
  const health = await fetch(`${server.baseURL}/healthz`);
  assert.equal(health.status, 200, 'GET /healthz');
  assert.equal((await health.text()).trim(), 'ok', '/healthz body');
  const ready = await fetch(`${server.baseURL}/readyz`);
  assert.equal(ready.status, 200, 'GET /readyz');
  const metrics = await fetch(`${server.baseURL}/metrics`);
  assert.equal(metrics.status, 200, 'GET /metrics');
  assert.match(metrics.headers.get('content-type') || '', /^text\/plain/, '/metrics content type');
  assert.match(await metrics.text(), /^# (TYPE|HELP) /m, '/metrics is Prometheus text');
});
