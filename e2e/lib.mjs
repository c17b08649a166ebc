// Shared helpers for Elkarlan's browser tests.
//
// - Debian's chromium (/usr/bin/chromium) driven by playwright-core; no browser is ever downloaded.
// - The server under test is the real binary (`elkarlan serve --demo`) on a free loopback port
//   with a throw-away SQLite database.
// - Accessibility checks use axe-core (WCAG 2.0/2.1 A+AA and WCAG 2.2 AA rules).
//
// Environment:
//   ELKARLAN_BIN            binary to run (default: ../target/debug/elkarlan, relative to this folder)
//   ELKARLAN_BASE_URL       test an already running server instead of starting one
//   ELKARLAN_DEMO_PASSWORD  password of the demo accounts (default: DEMO_PASSWORD below)
//   CHROMIUM_PATH           browser executable (default: /usr/bin/chromium)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = path.join(E2E_DIR, 'test-results');
export const DEMO_PASSWORD = process.env.ELKARLAN_DEMO_PASSWORD || 'Demo-password-2026!';
export const LANGS = ['eu', 'es', 'en'];
export const A11Y_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const READY_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Server

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 60) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/**
 * Start `elkarlan serve --demo` on a free loopback port with a fresh SQLite database, and wait
 * until GET /healthz answers 200. Returns { baseURL, stop(), logFile }.
 * With ELKARLAN_BASE_URL set, nothing is started and that server is used.
 */
export async function startServer() {
  if (process.env.ELKARLAN_BASE_URL) {
    const baseURL = process.env.ELKARLAN_BASE_URL.replace(/\/$/, '');
    await waitForHealthz(baseURL, null, null);
    return { baseURL, logFile: null, stop: async () => {} };
  }

  const bin = process.env.ELKARLAN_BIN
    ? path.resolve(process.env.ELKARLAN_BIN)
    : path.resolve(E2E_DIR, '..', 'target', 'debug', 'elkarlan');
  if (!fs.existsSync(bin)) {
    throw new Error(`server binary not found: ${bin} (build it with \`cargo build --bin elkarlan\` or set ELKARLAN_BIN)`);
  }

  const port = await freePort();
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'elkarlan-e2e-'));
  const logFile = path.join(tmp, 'server.log');
  const log = fs.openSync(logFile, 'a');
  const baseURL = `http://127.0.0.1:${port}`;
  const args = [
    'serve',
    '--demo',
    '--addr', `127.0.0.1:${port}`,
    '--database-url', `sqlite://${path.join(tmp, 'e2e.db')}`,
  ];
  const child = spawn(bin, args, {
    // Run in the temporary folder: files the server writes beside itself (elkarlan.key) stay there.
    cwd: tmp,
    env: { ...process.env, ELKARLAN_DEMO_PASSWORD: DEMO_PASSWORD },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);

  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  try {
    await waitForHealthz(baseURL, () => exited, logFile);
  } catch (err) {
    killOnExit();
    throw err;
  }

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited) return;
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
    if (!process.env.E2E_KEEP_TMP) await fsp.rm(tmp, { recursive: true, force: true });
  };
  return { baseURL, logFile, stop };
}

async function waitForHealthz(baseURL, exitedFn, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const ex = exitedFn && exitedFn();
    if (ex) {
      throw new Error(
        `server exited before it was ready (code ${ex.code}, signal ${ex.signal}); last log lines:\n${tail(logFile)}`,
      );
    }
    try {
      const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `GET ${baseURL}/healthz did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (last: ${last})` +
      (logFile ? `; last log lines:\n${tail(logFile)}` : ''),
  );
}

// ---------------------------------------------------------------------------------------------
// Browser

/**
 * Launch Debian's chromium with a fresh profile directory. Returns { context, close() };
 * `context` is a persistent BrowserContext whose relative URLs resolve against baseURL.
 */
export async function launchBrowser(baseURL) {
  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'elkarlan-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const close = async () => {
    await context.close().catch(() => {});
    await fsp.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  };
  return { context, close };
}

/** A new tab with no cookies in the context (anonymous, no language chosen). */
export async function freshPage(context, { acceptLanguage } = {}) {
  await context.clearCookies();
  const page = await context.newPage();
  if (acceptLanguage) await page.setExtraHTTPHeaders({ 'Accept-Language': acceptLanguage });
  return page;
}

// ---------------------------------------------------------------------------------------------
// Page helpers

/** Click something that submits a form / follows a link, and wait for the next page to load. */
export async function clickAndWait(page, locator) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  return response;
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

export async function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

/** Text of the single h1, trimmed and with collapsed whitespace. */
export async function h1Text(page) {
  return (await page.locator('h1').innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * The page shell every page must have: html[lang], skip link to #main-content, main#main-content,
 * exactly one h1, the header with the service name and the language switch.
 */
export async function assertShell(page, label) {
  const where = `${label} (${page.url()})`;
  const lang = await htmlLang(page);
  assert.ok(LANGS.includes(lang), `${where}: html[lang] is ${JSON.stringify(lang)}, expected one of ${LANGS}`);
  assert.equal(
    await page.locator('a.govuk-skip-link[href="#main-content"]').count(), 1,
    `${where}: expected one skip link a.govuk-skip-link[href="#main-content"]`,
  );
  assert.equal(await page.locator('main#main-content').count(), 1, `${where}: expected one main#main-content`);
  assert.equal(await page.locator('h1').count(), 1, `${where}: expected exactly one <h1>`);
  assert.ok(await page.locator('h1').isVisible(), `${where}: <h1> is not visible`);
  const header = page.locator('.app-header');
  assert.equal(await header.count(), 1, `${where}: expected one .app-header`);
  assert.match(await header.innerText(), /Elkarlan/, `${where}: .app-header does not show the service name "Elkarlan"`);
  const sw = page.locator('form.app-language-switch');
  assert.equal(await sw.count(), 1, `${where}: expected one form.app-language-switch`);
  assert.equal(
    ((await sw.getAttribute('method')) || '').toLowerCase(), 'post',
    `${where}: form.app-language-switch should use method=post`,
  );
  for (const l of LANGS) {
    assert.equal(
      await sw.locator(`button[name="lang"][value="${l}"]`).count(), 1,
      `${where}: language switch lacks button[name=lang][value=${l}]`,
    );
  }
}

/** Use the language switch on the current page; returns after the resulting page has loaded. */
export async function switchLanguage(page, lang) {
  await clickAndWait(page, page.locator(`form.app-language-switch button[name="lang"][value="${lang}"]`));
  assert.equal(await htmlLang(page), lang, `after switching to ${lang} on ${page.url()}, html[lang] is ${await htmlLang(page)}`);
}

/** Text of the error summary (throws if there is none). */
export async function errorSummaryText(page) {
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible', timeout: 10_000 });
  return (await summary.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Sign in through the login form. Leaves the page on /home (asserted). `lang`, when given, is
 * chosen with the language switch on the login page first.
 */
export async function signIn(page, username, { password = DEMO_PASSWORD, lang } = {}) {
  await page.goto('/login');
  if (lang) await switchLanguage(page, lang);
  await page.locator('form#login input#username').fill(username);
  await page.locator('form#login input#password').fill(password);
  await clickAndWait(page, page.locator('form#login button#sign-in'));
  if (pathOf(page) !== '/home') {
    const summary = await page.locator('.govuk-error-summary').allInnerTexts();
    const h1 = await page.locator('h1').allInnerTexts();
    throw new Error(
      `sign-in as ${username} ended on ${page.url()} instead of /home; h1=${JSON.stringify(h1)}; error summary=${JSON.stringify(summary)}`,
    );
  }
  return page;
}

export async function signOut(page) {
  await clickAndWait(page, page.locator('button#sign-out'));
}

// ---------------------------------------------------------------------------------------------
// Accessibility

function slug(s) {
  return s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
}

/**
 * Run axe-core (WCAG 2.0/2.1 A+AA, 2.2 AA) on the page; fail with a readable list of violations.
 * On failure a screenshot and the HTML are kept in e2e/test-results/.
 */
export async function checkA11y(page, label) {
  const results = await new AxeBuilder({ page }).withTags(A11Y_TAGS).analyze();
  const violations = results.violations;
  if (violations.length === 0) return results;

  const lines = [`axe: ${violations.length} accessibility violation(s) on ${label} (${page.url()}):`];
  for (const v of violations) {
    lines.push(`- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes.slice(0, 10)) {
      lines.push(`    at ${JSON.stringify(node.target)}: ${node.html.slice(0, 200)}`);
      const summary = (node.failureSummary || '').replace(/\s+/g, ' ').trim();
      if (summary) lines.push(`      ${summary.slice(0, 300)}`);
    }
    if (v.nodes.length > 10) lines.push(`    … and ${v.nodes.length - 10} more node(s)`);
  }
  try {
    await fsp.mkdir(RESULTS_DIR, { recursive: true });
    const base = path.join(RESULTS_DIR, `a11y-${slug(label)}`);
    await page.screenshot({ path: `${base}.png`, fullPage: true });
    await fsp.writeFile(`${base}.html`, await page.content());
    lines.push(`  (screenshot and HTML: ${base}.png / .html)`);
  } catch {
    // keeping evidence is best effort
  }
  assert.fail(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// One demo server and browser per test file

/**
 * Starts the demo server and a browser before the file's tests and stops them after. The
 * returned session's `server`, `browser` and `context` are set once the tests run; `as(user,
 * lang)` opens a fresh page signed in as `user` with the interface in `lang`.
 */
export function demoSession() {
  const session = {
    server: null,
    browser: null,
    context: null,
    async as(user, lang) {
      const page = await freshPage(session.context);
      await signIn(page, user, { lang });
      await switchLanguage(page, lang);
      return page;
    },
  };
  before(async () => {
    session.server = await startServer();
    session.browser = await launchBrowser(session.server.baseURL);
    session.context = session.browser.context;
  }, { timeout: 180_000 });
  after(async () => {
    if (session.browser) await session.browser.close();
    if (session.server) await session.server.stop();
  });
  return session;
}

/** The checks every page gets: the shell (language, title, landmarks) and axe. */
export async function checkPage(page, label) {
  await assertShell(page, label);
  await checkA11y(page, label);
}
