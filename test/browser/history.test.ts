import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { adminSession, create, launchBrowser, openSignedIn, screenshot } from './browser-harness.js';

// The History page in a real Chromium: newest first, who did what, filters by user, type and
// PLC, CSV export of what the filters show, and audit events for admins only.
let t: TestApp;
let browser: Browser;
let base: string;
let admin: Awaited<ReturnType<typeof adminSession>>;
let operator: { access_token: string; user: unknown };

const EDITOR = 'erin';
const OPERATOR = 'oscar';

/** A disabled PLC (never polled: no connection events) with one rule, made by `token`'s user. */
async function line(token: string, name: string, rule: string) {
  const plc = await create(t, token, '/api/plcs', { name, host: '127.0.0.1', enabled: false });
  const point = await create(t, token, '/api/datapoints', {
    plc_id: plc.id,
    label: `TT-${name}`,
    area: 'holding',
    address: 0,
    type: 'uint16',
  });
  return create(t, token, '/api/rules', { datapoint_id: point.id, name: rule, severity: 'high', comparison: 'above', alarm_threshold: 50 });
}

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestApp({ DEMO: '0' })]);
  base = t.app.url;
  admin = await adminSession(t);
  const token = admin.access_token;
  await create(t, token, '/api/users', { username: EDITOR, password: 'editor-password', role: 'admin' });
  await create(t, token, '/api/users', { username: OPERATOR, password: 'operator-password', role: 'operator' });
  const editor = await t.login(EDITOR, 'editor-password');
  const ruleA = await line(token, 'Line A', 'Tank A high');
  await line(editor, 'Line B', 'Tank B high');
  await t.call('PATCH', `/api/rules/${ruleA.id}`, { token: editor, body: { name: 'Tank A too high' } });
  operator = (await t.call('POST', '/api/auth/login', { body: { username: OPERATOR, password: 'operator-password' } })).json;
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const rows = (page: Page) => page.locator('#history-body tr');
const cells = (page: Page, column: string) => page.locator(`#history-body td[data-label="${column}"]`).allTextContents();
const ids = async (page: Page) => (await cells(page, '#')).map(Number);

/** Shows the events once no row is left that `stale` matches (the table is re-rendered whole). */
async function showEvents(page: Page, stale: ReturnType<Page['locator']>) {
  await page.getByRole('button', { name: 'Show events' }).click();
  await stale.first().waitFor({ state: 'detached' });
}

describe('the History page', () => {
  it('lists newest first, shows who changed a rule, and shows sign-ins to an admin', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, admin, '/history.html');
    const changed = page.locator('#history-body tr[data-type="rule_updated"]');
    await changed.first().waitFor();
    const shown = await ids(page);
    expect(shown.length).toBeGreaterThan(5);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    const newest = (await t.call('GET', '/api/alarms/history?order=desc&limit=1', { token: admin.access_token })).json.events[0];
    expect(shown[0]).toBe(newest.id);

    expect(await changed.locator('td[data-label="By"]').textContent()).toBe(EDITOR);
    expect(await changed.locator('td[data-label="Details"]').textContent()).toBe('name: Tank A high → Tank A too high');
    const signIn = page.locator('#history-body tr[data-type="signed_in"]', { hasText: OPERATOR });
    expect(await signIn.locator('td[data-label="By"]').textContent()).toBe(OPERATOR);
    expect(await signIn.locator('td[data-label="Subject"]').textContent()).toBe(OPERATOR);
    const created = page.locator('#history-body tr[data-type="user_created"]', { hasText: OPERATOR });
    expect(await created.locator('td[data-label="Details"]').textContent()).toBe('role: operator');
    await screenshot(page, 'history-newest-first');

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('filters by user, by type and by PLC, and exports what the filters show', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, admin, '/history.html');
    await page.locator('#history-body tr[data-type="signed_in"]').first().waitFor();

    await page.getByLabel('By user').fill(EDITOR);
    await showEvents(page, rows(page).filter({ hasNot: page.locator('td[data-label="By"]', { hasText: new RegExp(`^${EDITOR}$`) }) }));
    expect(await cells(page, 'Event')).toEqual(['Rule updated', 'Rule created', 'Datapoint created', 'PLC created', 'Signed in']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const exported = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n')
      .slice(1);
    expect(exported.map((line) => Number(line.split(',')[0]))).toEqual(await ids(page));

    await page.getByLabel('By user').fill('');
    await page.getByLabel('Event type').selectOption({ label: 'Rule created' });
    await showEvents(page, page.locator('#history-body tr:not([data-type="rule_created"])'));
    expect(await cells(page, 'Subject')).toEqual(['Tank B high', 'Tank A high']);

    await page.getByLabel('Event type').selectOption({ label: 'All event types' });
    await page.getByLabel('PLC', { exact: true }).selectOption({ label: 'Line B' });
    await showEvents(page, rows(page).filter({ hasText: /Line A|Tank A|TT-Line A/ }));
    // Its configuration, and whatever its rule and connection did meanwhile: all about Line B.
    expect((await cells(page, 'Event')).filter((e) => e.endsWith('created'))).toEqual(['Rule created', 'Datapoint created', 'PLC created']);
    expect(new Set(await cells(page, 'Subject'))).toEqual(new Set(['Tank B high', 'TT-Line B', 'Line B']));
    await screenshot(page, 'history-filtered');

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('shows an operator no audit events and no audit filters', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, operator, '/history.html');
    await page.locator('#history-body tr[data-type="rule_updated"]').waitFor();
    expect(await page.locator('#history-body tr[data-topic="audit"]').count()).toBe(0);
    expect(await page.locator('#history-type optgroup').evaluateAll((groups) => groups.map((g) => g.getAttribute('label')))).not.toContain(
      'Users and sign-ins',
    );
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
