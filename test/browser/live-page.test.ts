import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/modbus/simulator.js';
import { shiftedClock } from '../helpers/shifted-clock.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { adminSession, create, launchBrowser, openSignedIn, screenshot, type PageWatch } from './browser-harness.js';

// The live alarm page as a control room uses it, in Chromium against a running server and a
// Modbus TCP simulator: highest priority first, filters that stay, the horn per severity until
// acknowledged with its silence, out of service, and the escalation mark. The horn is watched
// through what the page publishes (`data-sounding` on <body>, `alarm-horn` events), never by ear.
const clock = shiftedClock();
let t: TestApp;
let sim: Simulator;
let browser: Browser;
let token: string;
let base: string;
let session: Awaited<ReturnType<typeof adminSession>>;
const rules: Record<string, number> = {};

/** Holding-register addresses of the four datapoints, on two PLCs. */
const TT1 = 0; // Line 1, reactor temperature
const PT2 = 2; // Line 1, header pressure
const LT3 = 4; // Line 2, tank level
const FT4 = 6; // Line 2, flow
const PT9 = 8; // Line 2, compressor pressure (the escalation test's)

beforeAll(async () => {
  // A long heartbeat: the silence test moves the page's clock a minute on, past the client's watchdog.
  [sim, browser, t] = await Promise.all([
    createSimulator(),
    launchBrowser(),
    startTestApp({ DEMO: '0', HEARTBEAT_MS: '600000' }, { clock }),
  ]);
  base = t.app.url;
  session = await adminSession(t);
  token = session.access_token;
  for (const address of [TT1, PT2, LT3, FT4, PT9]) sim.setFloat32('holding', address, 20);
  // A generous timeout: on a busy machine a slow answer must not turn the points UNKNOWN (a new annunciation).
  const plc = (name: string) =>
    create(t, token, '/api/plcs', { name, host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: 2000 });
  const [line1, line2] = [await plc('Line 1'), await plc('Line 2')];
  const point = (plc_id: number, address: number, label: string) =>
    create(t, token, '/api/datapoints', { plc_id, area: 'holding', address, type: 'float32', label, description: label });
  const [tt1, pt2, lt3, ft4] = [
    await point(line1.id, TT1, 'TT1'),
    await point(line1.id, PT2, 'PT2'),
    await point(line2.id, LT3, 'LT3'),
    await point(line2.id, FT4, 'FT4'),
  ];
  const rule = async (name: string, datapoint_id: number, severity: string, thresholds: object) => {
    rules[name] = (await create(t, token, '/api/rules', { name, datapoint_id, severity, comparison: 'above', ...thresholds })).id;
  };
  await rule('Reactor overheat', tt1.id, 'critical', { warning_threshold: 50, alarm_threshold: 90 });
  await rule('Header pressure high', pt2.id, 'high', { alarm_threshold: 50 });
  await rule('Header pressure rising', pt2.id, 'high', { warning_threshold: 40, alarm_threshold: 200 });
  await rule('Tank level high', lt3.id, 'medium', { alarm_threshold: 90 });
  await rule('Flow high', ft4.id, 'low', { alarm_threshold: 90 });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await sim?.close();
});

// Every test starts from a quiet plant: values normal, everything acknowledged.
afterEach(async () => {
  for (const address of [TT1, PT2, LT3, FT4, PT9]) sim.setFloat32('holding', address, 20);
  await expect
    .poll(
      async () => {
        for (const id of Object.values(rules)) await t.call('POST', `/api/alarms/${id}/ack`, { token, body: {} });
        return (await t.call('GET', '/api/alarms/active?include_shelved=1', { token })).json.active.length;
      },
      { timeout: 3000 },
    )
    .toBe(0);
});

const names = (page: Page) => page.locator('#active-body tr.alarm-row .alarm-name').allTextContents();
const sounding = (page: Page) => page.locator('body').getAttribute('data-sounding');
const ack = (name: string) => t.call('POST', `/api/alarms/${rules[name]}/ack`, { token, body: {} });
const toggle = (page: Page, kind: string, value: string) => page.locator(`#alarm-filters input[data-kind="${kind}"][value="${value}"]`);

/**
 * The live page, signed in, keeping every console error and warning from the first byte (the
 * harness keeps only the CSP ones).
 */
async function openLive(user = session, prepare?: (context: BrowserContext) => Promise<unknown>) {
  const consoleLog: string[] = [];
  const opened = await openSignedIn(browser, base, user, '/', {}, async (context) => {
    context.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleLog.push(`${m.type()}: ${m.text()}`);
    });
    await prepare?.(context);
  });
  return { ...opened, consoleLog };
}

function expectClean({ seen, consoleLog }: { seen: PageWatch; consoleLog: string[] }) {
  expect(seen.csp).toEqual([]);
  expect(seen.errors).toEqual([]);
  expect(seen.dialogs).toEqual([]);
  expect(consoleLog).toEqual([]);
}

/** Records every ring of the horn in `window.rings` (the page's `alarm-horn` event). */
const recordRings = (context: BrowserContext) =>
  context.addInitScript({ content: `window.rings = []; addEventListener('alarm-horn', (e) => window.rings.push(e.detail.severity));` });
const rings = (page: Page) => page.evaluate('window.rings') as Promise<string[]>;

describe('the live alarm page', () => {
  it('lists highest priority first, counts per severity, and filters by severity, state and PLC across a reload', async () => {
    const live = await openLive();
    const { context, page } = live;
    await page.locator('#active-empty').waitFor();
    sim.setFloat32('holding', TT1, 95);
    sim.setFloat32('holding', PT2, 60);
    sim.setFloat32('holding', LT3, 95);
    sim.setFloat32('holding', FT4, 95);
    const all = ['Reactor overheat', 'Header pressure high', 'Header pressure rising', 'Tank level high', 'Flow high'];
    await expect.poll(() => names(page), { timeout: 3000 }).toEqual(all);

    // Same severity: the unacknowledged WARNING comes before the acknowledged ALARM.
    await ack('Header pressure high');
    await expect
      .poll(() => names(page))
      .toEqual(['Reactor overheat', 'Header pressure rising', 'Header pressure high', 'Tank level high', 'Flow high']);
    const count = (severity: string) => page.locator(`#alarm-filters .toggle--severity[data-value="${severity}"] .count`).textContent();
    expect([await count('critical'), await count('high'), await count('medium'), await count('low')]).toEqual(['1', '2', '1', '1']);

    await toggle(page, 'severity', 'low').uncheck();
    await expect.poll(() => names(page)).not.toContain('Flow high');
    await toggle(page, 'state', 'WARNING').uncheck();
    await page.getByRole('checkbox', { name: /^Line 2/ }).uncheck();
    const filtered = ['Reactor overheat', 'Header pressure high'];
    await expect.poll(() => names(page)).toEqual(filtered);
    await expect.poll(() => page.locator('#alarm-filters .filter-note').textContent()).toBe('3 active alarms hidden by the filter');
    expect(await count('low')).toBe('1'); // a hidden alarm still counts
    await screenshot(page, 'live-filtered');

    await page.reload();
    await page.locator('#conn[data-state="connected"]').waitFor();
    await expect.poll(() => names(page)).toEqual(filtered);
    expect(await toggle(page, 'severity', 'low').isChecked()).toBe(false);
    expect(await toggle(page, 'state', 'WARNING').isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: /^Line 2/ }).isChecked()).toBe(false);

    await page.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(() => names(page)).toHaveLength(all.length);
    expect(await page.evaluate(`localStorage.getItem('alarms.filter')`)).toBe('{"severity":[],"state":[],"plc":[]}');
    expectClean(live);
    await context.close();
  });

  it('sounds the highest severity until acknowledged, repeating, and a silence quiets only what sounds', async () => {
    const live = await openLive(session, async (ctx) => {
      await ctx.clock.install(); // the page's timers: the horn's repeat and the silence's end
      await recordRings(ctx);
    });
    const { context, page } = live;
    await page.locator('#active-empty').waitFor();
    expect(await sounding(page)).toBe('');
    expect(await page.locator('#silence').isDisabled()).toBe(true);

    sim.setFloat32('holding', FT4, 95);
    await expect.poll(() => sounding(page), { timeout: 3000 }).toBe('low');
    sim.setFloat32('holding', PT2, 60);
    await expect.poll(() => sounding(page), { timeout: 3000 }).toBe('high');
    expect((await rings(page)).slice(0, 3)).toEqual(['low', 'high', 'high']); // at once for each new alarm

    // It repeats on its own, every 4 s for high.
    const before = (await rings(page)).length;
    await page.clock.runFor(4_100);
    const after = await rings(page);
    expect(after.length).toBeGreaterThan(before);
    expect(new Set(after.slice(3))).toEqual(new Set(['high']));
    expect(await page.locator('#horn-status').textContent()).toBe('Sounding: high');

    // Acknowledged through the page, the highs stop and the low one sounds again.
    for (const name of ['Header pressure high', 'Header pressure rising']) {
      await page.getByRole('button', { name: `Acknowledge ${name}` }).click();
      await page.getByRole('dialog', { name: 'Acknowledge alarm' }).getByRole('button', { name: 'Acknowledge' }).click();
      await page.getByRole('dialog', { name: 'Acknowledge alarm' }).waitFor({ state: 'hidden' });
    }
    await expect.poll(() => sounding(page)).toBe('low');
    await ack('Flow high');
    await expect.poll(() => sounding(page)).toBe('');

    // Silenced for a minute: quiet, and the page says until when.
    sim.setFloat32('holding', TT1, 95);
    await expect.poll(() => sounding(page), { timeout: 3000 }).toBe('critical');
    await page.getByLabel('Silence for').selectOption('1');
    await page.getByRole('button', { name: 'Silence' }).click();
    await expect.poll(() => sounding(page)).toBe('');
    const until = Date.parse((await page.locator('body').getAttribute('data-silenced-until'))!);
    const pageNow = (await page.evaluate('Date.now()')) as number;
    expect(until - pageNow).toBeGreaterThan(55_000);
    expect(until - pageNow).toBeLessThanOrEqual(60_000);
    await expect.poll(() => page.locator('#horn-status').textContent()).toMatch(/^1 silenced until /);

    // A new alarm sounds through the silence; the silenced one stays quiet.
    sim.setFloat32('holding', LT3, 95);
    await expect.poll(() => sounding(page), { timeout: 3000 }).toBe('medium');
    await page.getByRole('button', { name: 'Silence' }).click();
    await expect.poll(() => sounding(page)).toBe('');

    // Time up: the loudest sounds again.
    await page.clock.fastForward('01:01');
    await expect.poll(() => sounding(page)).toBe('critical');
    expect(await page.locator('body').getAttribute('data-silenced-until')).toBe('');

    // "Sound again" ends a silence early.
    await page.getByRole('button', { name: 'Silence' }).click();
    await expect.poll(() => sounding(page)).toBe('');
    await page.getByRole('button', { name: 'Sound again' }).click();
    await expect.poll(() => sounding(page)).toBe('critical');
    expectClean(live);
    await context.close();
  });

  it('offers "Enable sound" while the browser blocks audio, and starts it on a click', async () => {
    // Chromium's autoplay policy: a page may not start audio before the user acts on it.
    const live = await openLive();
    const { context, page } = live;
    const enable = page.getByRole('button', { name: 'Enable sound' });
    await enable.waitFor();
    expect(await page.locator('body').getAttribute('data-audio')).toBe('blocked');
    await enable.click();
    await enable.waitFor({ state: 'hidden' });
    expect(await page.locator('body').getAttribute('data-audio')).toBe('on');

    // Sound switched off on this device: no "Enable sound", and it is remembered.
    await page.getByLabel('Sound', { exact: true }).uncheck();
    expect(await page.locator('body').getAttribute('data-audio')).toBe('off');
    expect(await page.evaluate(`localStorage.getItem('alarms.sound')`)).toBe('0');
    expectClean(live);
    await context.close();
  });

  it('takes an alarm out of service from its row with a comment, lists it, and returns it to service', async () => {
    await create(t, token, '/api/users', { username: 'olga', password: 'password-123', role: 'operator' });
    const olga = (await t.call('POST', '/api/auth/login', { body: { username: 'olga', password: 'password-123' } })).json;
    const watcher = await openLive(olga);
    const live = await openLive();
    const { context, page } = live;
    sim.setFloat32('holding', TT1, 95);
    const row = page.locator('#active-body tr.alarm-row', { hasText: 'Reactor overheat' });
    await row.waitFor({ timeout: 3000 });
    await watcher.page.locator('#active-body tr.alarm-row', { hasText: 'Reactor overheat' }).waitFor({ timeout: 3000 });
    expect(await watcher.page.getByRole('button', { name: /out of service$/ }).count()).toBe(0); // not an admin

    await row.getByRole('button', { name: 'Take Reactor overheat out of service' }).click();
    const dialog = page.getByRole('dialog', { name: 'Take out of service' });
    await dialog.getByRole('button', { name: 'Take out of service' }).click();
    await dialog.locator('[data-path="comment"] .field-error').waitFor(); // the comment is required
    await dialog.getByLabel('Comment').fill('TT1 sensor being replaced');
    await dialog.getByRole('button', { name: 'Take out of service' }).click();
    await row.waitFor({ state: 'detached', timeout: 2000 });
    const listed = page.locator('#oos-body tr', { hasText: 'Reactor overheat' });
    await listed.waitFor({ timeout: 2000 });
    expect(await listed.textContent()).toContain('TT1 sensor being replaced');
    expect(await listed.textContent()).toContain('admin');
    expect(await sounding(page)).toBe('');
    await screenshot(page, 'live-out-of-service');

    // The operator's page follows live, without a way to return it.
    const theirs = watcher.page.locator('#oos-body tr', { hasText: 'Reactor overheat' });
    await theirs.waitFor({ timeout: 2000 });
    expect(await watcher.page.locator('#active-body tr.alarm-row').count()).toBe(0);
    expect(await theirs.getByRole('button').count()).toBe(0);

    // Returned: evaluated at once, so the alarm is back, sounding.
    await page.getByRole('button', { name: 'Return Reactor overheat to service' }).click();
    await listed.waitFor({ state: 'detached', timeout: 2000 });
    await row.locator('.state-badge', { hasText: 'ALARM' }).waitFor({ timeout: 3000 });
    await expect.poll(() => sounding(page)).toBe('critical');
    await page.locator('#oos-section').waitFor({ state: 'hidden' });
    await theirs.waitFor({ state: 'detached', timeout: 2000 });
    expectClean(live);
    expectClean(watcher);
    await Promise.all([context.close(), watcher.context.close()]);
  });

  it('marks an alarm left unacknowledged as escalated, level by level, live', async () => {
    const line2 = (await t.call('GET', '/api/plcs', { token })).json.find((p: { name: string }) => p.name === 'Line 2');
    const pt9 = await create(t, token, '/api/datapoints', {
      plc_id: line2.id,
      area: 'holding',
      address: PT9,
      type: 'float32',
      label: 'PT9',
      description: 'Compressor pressure',
    });
    rules['Compressor pressure high'] = (
      await create(t, token, '/api/rules', {
        name: 'Compressor pressure high',
        datapoint_id: pt9.id,
        severity: 'high',
        comparison: 'above',
        alarm_threshold: 50,
        escalate_after_s: 10,
      })
    ).id;
    const live = await openLive();
    const { context, page } = live;
    sim.setFloat32('holding', PT9, 60);
    const row = page.locator('#active-body tr.alarm-row', { hasText: 'Compressor pressure high' });
    await row.locator('.state-badge', { hasText: 'ALARM' }).waitFor({ timeout: 3000 });
    expect(await row.locator('.escalation-badge').textContent()).toBe('');

    clock.jump(10_000); // the server's time: nobody acknowledged it for 10 s
    await row.locator('.escalation-badge', { hasText: 'Escalated L1' }).waitFor({ timeout: 2000 });
    expect(await row.getAttribute('class')).toContain('alarm-row--escalated');
    clock.jump(10_000);
    await row.locator('.escalation-badge', { hasText: 'Escalated L2' }).waitFor({ timeout: 2000 });
    await screenshot(page, 'live-escalated');

    // A new page gets the level from the snapshot; acknowledged, the mark goes.
    await page.reload();
    await row.locator('.escalation-badge', { hasText: 'Escalated L2' }).waitFor({ timeout: 3000 });
    await ack('Compressor pressure high');
    await expect.poll(() => row.getAttribute('class')).not.toContain('alarm-row--escalated');
    expect(await row.locator('.escalation-badge').textContent()).toBe('');
    expectClean(live);
    await context.close();
  });
});
