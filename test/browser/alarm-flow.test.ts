import type { Browser, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/modbus/simulator.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { adminSession, fieldError, launchBrowser, openPage, openSignedIn, screenshot, signIn, simulatedPlant } from './browser-harness.js';

// The operator's main path in a real Chromium against a running server and a Modbus TCP
// simulator on loopback: sign in, write a rule through the form, see the alarm arrive live,
// acknowledge it; then the same over SSE with the WebSocket upgrade refused.
let t: TestApp;
let sim: Simulator;
let browser: Browser;
let token: string;
let base: string;
let session: Awaited<ReturnType<typeof adminSession>>;
let ruleId: number;

beforeAll(async () => {
  [sim, browser, t] = await Promise.all([createSimulator(), launchBrowser(), startTestApp({ DEMO: '0' })]);
  base = t.app.url;
  session = await adminSession(t);
  token = session.access_token;
  await simulatedPlant(t, token, sim, { label: 'TT101', description: 'Oven zone 2 temperature' });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await sim?.close();
});

describe('live alarms in the browser', () => {
  it('signs in, creates a rule through the form, raises an alarm live and acknowledges it (WebSocket)', async () => {
    const { context, page, seen } = await openPage(browser);
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login\.html\?next=/); // no session: to sign-in first
    await screenshot(page, 'login');
    await signIn(page, base);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.locator('#conn-transport').textContent()).toBe('WebSocket');
    await expect.poll(() => page.locator('#app-header .user-name').textContent()).toBe('admin');

    // A rule through the form, the datapoint picked by its description.
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Oven too hot');
    await page.getByLabel('Filter datapoints').fill('oven zone 2');
    const picked = page.getByLabel('Datapoint', { exact: true });
    await expect.poll(() => picked.locator('option:checked').textContent()).toBe('Oven zone 2 temperature — TT101 · °C · Line 1');
    await page.getByLabel('Severity').selectOption('high');
    await page.getByLabel('Comparison').selectOption('above');
    // First a mistake the API refuses: its message appears next to the field it names.
    await page.getByLabel('Warning threshold').fill('120');
    await page.getByLabel('Alarm threshold').fill('100');
    await page.getByRole('button', { name: 'Save rule' }).click();
    expect(await fieldError(page, 'warning_threshold')).toContain('must not exceed alarm_threshold');
    await expect.poll(() => page.getByLabel('Warning threshold').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'rules-editor-validation');
    await page.getByLabel('Warning threshold').fill('80');
    await page.getByRole('button', { name: 'Save rule' }).click();
    const ruleRow = page.locator('#rules-body tr', { hasText: 'Oven too hot' });
    await ruleRow.waitFor();
    ruleId = Number(await ruleRow.getAttribute('data-rule-id'));
    const stored = await t.call('GET', `/api/rules/${ruleId}`, { token });
    expect(stored.json).toMatchObject({
      name: 'Oven too hot',
      severity: 'high',
      comparison: 'above',
      warning_threshold: 80,
      alarm_threshold: 100,
      schedule: null,
    });

    // A rule edited elsewhere appears without a reload.
    await t.call('PATCH', `/api/rules/${ruleId}`, { token, body: { deadband: 2, on_delay_ms: 0 } });
    await page.locator('#rules-body tr', { hasText: '±2 °C' }).waitFor({ timeout: 2000 });
    await screenshot(page, 'rules');

    // The alarm, live.
    await page.getByRole('link', { name: 'Live alarms' }).click();
    await page.locator('#conn[data-state="connected"]').waitFor();
    await page.locator('#active-empty').waitFor();
    sim.setFloat32('holding', 0, 120);
    const row = page.locator('tr.alarm-row', { hasText: 'Oven too hot' });
    await row.locator('.state-badge', { hasText: 'ALARM' }).waitFor({ timeout: 1000 });
    await expect.poll(() => row.locator('.alarm-value').textContent()).toBe('120 °C');
    expect(await row.locator('.alarm-point').textContent()).toBe('Oven zone 2 temperature · TT101 · Line 1');
    expect(await row.locator('.ack-text').textContent()).toBe('Unacknowledged');
    await expect.poll(() => page.locator('#announcer').textContent()).toContain('New ALARM, high: Oven too hot');
    await screenshot(page, 'alarms');

    await row.getByRole('button', { name: 'Acknowledge Oven too hot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Acknowledge alarm' });
    await dialog.getByLabel('Comment').fill('checking the cooler');
    await dialog.getByRole('button', { name: 'Acknowledge' }).click();
    await row.locator('.ack-text--yes').waitFor({ timeout: 2000 });
    expect(await row.getByRole('button', { name: 'Acknowledge Oven too hot' }).isVisible()).toBe(false);

    // Back to normal and acknowledged: it leaves the list.
    sim.setFloat32('holding', 0, 20);
    await row.waitFor({ state: 'detached', timeout: 2000 });
    await page.locator('#active-empty').waitFor();

    // A rule renamed through the API renames it on the alarm page too.
    sim.setFloat32('holding', 0, 90);
    await row.locator('.state-badge', { hasText: 'WARNING' }).waitFor({ timeout: 2000 });
    await t.call('PATCH', `/api/rules/${ruleId}`, { token, body: { name: 'Oven zone 2 too hot' } });
    await page.locator('tr.alarm-row .alarm-name', { hasText: 'Oven zone 2 too hot' }).waitFor({ timeout: 2000 });

    // Back to normal without an acknowledgement: listed as such until someone acks it.
    const renamed = page.locator('tr.alarm-row', { hasText: 'Oven zone 2 too hot' });
    sim.setFloat32('holding', 0, 20);
    await renamed.locator('.state-badge', { hasText: 'NORMAL' }).waitFor({ timeout: 2000 });
    expect(await renamed.locator('.state-note').textContent()).toBe('returned to normal');
    expect(await renamed.locator('.ack-text').textContent()).toBe('Unacknowledged');

    // The journal shows the acknowledgement with its comment.
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByLabel('Rule').selectOption({ label: 'Oven zone 2 too hot' });
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.locator('#history-body tr[data-type="alarm_ack"]', { hasText: 'checking the cooler' }).waitFor();
    await screenshot(page, 'history');

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('falls back to SSE when the WebSocket upgrade is refused, and still alarms and acks', async () => {
    // Playwright answers every WebSocket to /ws itself and closes it: no upgrade reaches the server.
    const refused: string[] = [];
    const { context, page, seen } = await openSignedIn(browser, base, session, '/', {}, (ctx) =>
      ctx.routeWebSocket(/\/ws(\/alarms)?(\?|$)/, (ws) => {
        refused.push(ws.url());
        void ws.close({ code: 1011, reason: 'refused by the test' });
      }),
    );
    await expect.poll(() => page.locator('#conn-transport').textContent()).toBe('SSE');
    expect(refused.length).toBeGreaterThan(0);
    const stats = await t.call('GET', '/api/stats', { token });
    expect(stats.json.connections.by_transport.sse).toBeGreaterThanOrEqual(1);
    expect(stats.json.connections.by_transport.websocket ?? 0).toBe(0);

    const row = page.locator('tr.alarm-row', { hasText: 'Oven zone 2 too hot' });
    await row.locator('.state-badge', { hasText: 'NORMAL' }).waitFor(); // normal, unacknowledged, from the last test
    sim.setFloat32('holding', 0, 130);
    await row.locator('.state-badge', { hasText: 'ALARM' }).waitFor({ timeout: 1000 });
    await expect.poll(() => row.locator('.alarm-value').textContent()).toBe('130 °C');
    await row.getByRole('button', { name: 'Acknowledge Oven zone 2 too hot' }).click();
    await page.getByRole('dialog', { name: 'Acknowledge alarm' }).getByRole('button', { name: 'Acknowledge' }).click();
    await row.locator('.ack-text--yes').waitFor({ timeout: 2000 });

    // Shelved: it moves to the shelved list; unshelved: back.
    await row.getByRole('button', { name: 'Shelve Oven zone 2 too hot' }).click();
    const shelve = page.getByRole('dialog', { name: 'Shelve alarm' });
    await shelve.getByLabel('Shelve for').selectOption({ label: '15 minutes' });
    await shelve.getByLabel('Comment').fill('sensor maintenance');
    await shelve.getByRole('button', { name: 'Shelve' }).click();
    await page.locator('#shelved-body tr.alarm-row', { hasText: 'Oven zone 2 too hot' }).waitFor({ timeout: 2000 });
    expect(await page.locator('#active-body tr.alarm-row').count()).toBe(0);
    await screenshot(page, 'alarms-sse-shelved');
    await page.getByRole('button', { name: 'Unshelve Oven zone 2 too hot' }).click();
    await page.locator('#active-body tr.alarm-row', { hasText: 'Oven zone 2 too hot' }).waitFor({ timeout: 2000 });
    await screenshot(page, 'alarms-sse');

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('reconnects by itself after the link drops and catches up on what it missed', async () => {
    // Every WebSocket passes through to the server, so the test can cut one.
    const links: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    const { context, page, seen } = await openSignedIn(browser, base, session, '/', {}, (ctx) =>
      ctx.routeWebSocket(/\/ws(\?|$)/, (ws) => {
        links.push({ page: ws, server: ws.connectToServer() });
      }),
    );
    const row = page.locator('tr.alarm-row', { hasText: 'Oven zone 2 too hot' });
    await row.locator('.ack-text--yes').waitFor(); // ALARM, acknowledged in the last test

    // Both ends, as a dying proxy would: the page sees 1001 and the server its socket closed.
    await Promise.all([links[0]!.server.close(), links[0]!.page.close({ code: 1001, reason: 'going away' })]);
    await page.locator('#conn[data-state="reconnecting"]', { hasText: 'Reconnecting' }).waitFor({ timeout: 2000 });
    sim.setFloat32('holding', 0, 20); // back to normal while the page is away
    await page.locator('#conn[data-state="connected"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.locator('#conn-transport').textContent()).toBe('WebSocket');
    await row.waitFor({ state: 'detached', timeout: 2000 }); // the missed transition, replayed
    expect(links.length).toBe(2);

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
