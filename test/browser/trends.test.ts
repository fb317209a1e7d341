import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/kernel/manual-clock.js';
import { fakePoller } from '../helpers/fake-poller.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { adminSession, create, launchBrowser, openSignedIn, screenshot } from './browser-harness.js';

// Trend charts in Chromium: the plant page's datapoint trend and an alarm's trend with its
// thresholds, drawn by uPlot under the strict CSP. Values enter where the poller's do, and the
// app's clock (set 20 minutes behind the browser's) is moved past each minute.
const MIN = 60_000;
let t: TestApp;
let browser: Browser;
let base: string;
let session: Awaited<ReturnType<typeof adminSession>>;

beforeAll(async () => {
  const start = Math.floor((Date.now() - 20 * MIN) / MIN) * MIN;
  const clock = manualClock(start);
  const poller = fakePoller(clock.now);
  // Heartbeats every hour: the page's stream must not wait for one from a clock that stands still.
  [browser, t] = await Promise.all([launchBrowser(), startTestApp({ HEARTBEAT_MS: '3600000' }, { clock, poller: poller.create })]);
  base = t.app.url;
  session = await adminSession(t);
  const token = session.access_token;
  const plc = await create(t, token, '/api/plcs', { name: 'Line 1', host: '127.0.0.1', port: 1502 });
  const point = await create(t, token, '/api/datapoints', {
    plc_id: plc.id,
    label: 'TT1',
    description: 'Oven temperature',
    area: 'holding',
    address: 0,
    type: 'float32',
    unit: '°C',
  });
  await create(t, token, '/api/rules', {
    datapoint_id: point.id,
    name: 'Oven hot',
    severity: 'high',
    comparison: 'above',
    warning_threshold: 50,
    alarm_threshold: 80,
  });
  // Ten minutes of a warming oven that alarms at minute 6 and is still hot.
  for (let k = 0; k < 10; k++) {
    clock.set(start + k * MIN + 30_000);
    poller.poll(plc.id, { [point.id]: k < 6 ? 20 + k * 5 : 85 + k });
    await t.app.trend.idle();
  }
  clock.set(start + 10 * MIN + 5_000);
  await t.app.trend.idle();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('trend charts', () => {
  it("draw a datapoint's last hour on the plant page, and its alarm's trend with both thresholds on the live page", async () => {
    const consoleErrors: string[] = [];
    const { context, page, seen } = await openSignedIn(browser, base, session, '/plant.html', {}, async (ctx) =>
      ctx.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text()))),
    );
    await page.getByRole('button', { name: 'Trend of TT1' }).click();
    const dialog = page.locator('dialog.dialog--trend');
    await dialog.getByRole('heading', { name: 'Trend of TT1' }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')).toBe('true');
    const chart = dialog.locator('.trend-chart[data-buckets]');
    await chart.locator('canvas').waitFor();
    expect(Number(await chart.getAttribute('data-buckets'))).toBe(10);
    expect(await chart.getAttribute('data-thresholds')).toBe('0');
    expect(await chart.locator('.u-legend').textContent()).toContain('Avg');
    await screenshot(page, 'trend-plant');
    // Another range draws again (30 days: the same ten minutes in one 30-minute bucket or two).
    await dialog.getByRole('button', { name: 'Last 30 days' }).click();
    await page.locator('.trend-chart[data-buckets="1"], .trend-chart[data-buckets="2"]').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.goto(`${base}/`);
    const row = page.locator('tr.alarm-row', { hasText: 'Oven hot' });
    await row.locator('.state-badge--alarm').waitFor();
    await row.getByRole('button', { name: 'Trend' }).click();
    await dialog.getByRole('heading', { name: 'Trend of Oven hot' }).waitFor();
    const alarmChart = dialog.locator('.trend-chart[data-thresholds="2"]');
    await alarmChart.locator('canvas').waitFor();
    expect(Number(await alarmChart.getAttribute('data-buckets'))).toBe(10);
    const legend = (await alarmChart.locator('.u-legend').textContent()) ?? '';
    expect(legend).toMatch(/Warning\s*50 °C/); // the label's colon is uPlot's CSS, not text
    expect(legend).toMatch(/Alarm\s*80 °C/);
    await screenshot(page, 'trend-alarm');

    expect(consoleErrors).toEqual([]);
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    await context.close();
  });
});
