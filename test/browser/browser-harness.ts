import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Simulator } from '../../src/modbus/simulator.js';
import { ADMIN, type TestApp } from '../helpers/test-app.js';
import { vi } from 'vitest';

// A browser test walks a real Chromium through several pages: 5-12 s on a quiet machine, three to
// four times that while CI runs four files at once on two cores. Every browser file imports this.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** Debian's Chromium, driven by playwright-core (it never downloads a browser of its own). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

/** Saves a screenshot of the whole page into test-artifacts/ (git-ignored) for a human to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** What happened in a page: CSP violations, uncaught errors, and every dialog that opened. */
export interface PageWatch {
  csp: string[];
  errors: string[];
  dialogs: string[];
}

export function watch(page: Page): PageWatch {
  const seen: PageWatch = { csp: [], errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) seen.csp.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  // A confirm() is the pages' own question (delete?) and is answered yes; an alert() would be injected code.
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    void (d.type() === 'confirm' ? d.accept() : d.dismiss());
  });
  return seen;
}

/** A fresh browser context (its own sessionStorage) and page, watched. */
/** Waits for the API error shown beside the field at `path` (data-path) and returns its text. */
export async function fieldError(page: Page, path: string): Promise<string> {
  const error = page.locator(`[data-path="${path}"] .field-error`);
  await error.waitFor();
  return (await error.textContent()) ?? '';
}

export async function openPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}) {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 860 }, ...options });
  const page = await context.newPage();
  return { context, page, seen: watch(page) };
}

/** Signs in through the form and waits for the landing page's stream to be live. */
export async function signIn(page: Page, base: string, username = ADMIN.username, password = ADMIN.password): Promise<void> {
  await page.goto(`${base}/login.html`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#conn[data-state="connected"]').waitFor({ timeout: 5000 });
}

/** The login response (`access_token`, `user`), fetched once per file: each sign-in costs a scrypt. */
export async function adminSession(t: TestApp): Promise<{ access_token: string; user: unknown }> {
  const res = await t.call('POST', '/api/auth/login', { body: ADMIN });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return res.json;
}

/**
 * A page already signed in, the way the sign-in page leaves it (sessionStorage), for tests about
 * something else. Not for tests that sign out: the session is put back on every navigation.
 */
export async function openSignedIn(
  browser: Browser,
  base: string,
  session: { access_token: string; user: unknown },
  path = '/',
  options: Parameters<Browser['newContext']>[0] = {},
  prepare?: (context: BrowserContext) => Promise<unknown>,
) {
  const opened = await openPage(browser, options);
  await prepare?.(opened.context);
  const token = JSON.stringify(session.access_token);
  const user = JSON.stringify(JSON.stringify(session.user));
  await opened.context.addInitScript({
    content: `sessionStorage.setItem('alarms.token', ${token}); sessionStorage.setItem('alarms.user', ${user});`,
  });
  await opened.page.goto(`${base}${path}`);
  await opened.page.locator('#conn[data-state="connected"]').waitFor({ timeout: 5000 });
  return opened;
}

/** POSTs through the app and insists on 201. */
export async function create(t: TestApp, token: string, path: string, body: unknown): Promise<any> {
  const res = await t.call('POST', path, { token, body });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** A PLC on the simulator, polled every 50 ms, and one float32 datapoint at holding 0. */
export async function simulatedPlant(t: TestApp, token: string, sim: Simulator, point: { label: string; description: string }) {
  sim.setFloat32('holding', 0, 20);
  const plc = await create(t, token, '/api/plcs', {
    name: 'Line 1',
    host: sim.host,
    port: sim.port,
    poll_interval_ms: 50,
    timeout_ms: 1000, // the default: 300 ms timed out under CI's load, and an UNKNOWN showed as an active alarm
  });
  const datapoint = await create(t, token, '/api/datapoints', {
    plc_id: plc.id,
    area: 'holding',
    address: 0,
    type: 'float32',
    unit: '°C',
    ...point,
  });
  return { plc, datapoint };
}
