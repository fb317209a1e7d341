import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventAppender, type NewEvent } from '../../src/journal/events.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { adminSession, launchBrowser, openSignedIn, screenshot } from './browser-harness.js';

// The KPI page in a real Chromium, over a journal of known alarms: its uPlot chart draws the
// bars and the flood line, the lists name the bad actors, and the strict CSP is never violated.
let t: TestApp;
let browser: Browser;
let session: Awaited<ReturnType<typeof adminSession>>;

const BAD_ACTOR = 'Boiler 2 <b>pressure</b> high';
const QUIET = 'Tank 1 level low';

const annunciation = (rule_id: number, rule_name: string, severity: string): NewEvent => ({
  topic: 'alarms',
  type: 'alarm_state',
  rule_id,
  payload: {
    rule_id,
    rule_name,
    previous_state: 'OK',
    state: 'ALARM',
    severity,
    shelved: false,
    reason: 'value',
    message: `Rule ${rule_name} -> ALARM`,
  },
});
const ack = (rule_id: number): NewEvent => ({
  topic: 'alarms',
  type: 'alarm_ack',
  rule_id,
  payload: { rule_id, user: 'admin', comment: null },
});

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestApp({ DEMO: '0' })]);
  session = await adminSession(t);
  // About two hours ago, within 40 s of one 10-minute window: 12 annunciations of one rule (a
  // flood, and chattering), then one of another; each rule acked 90 s after its first.
  const append = eventAppender(t.app.db);
  const start = Math.floor((Date.now() - 2 * 3_600_000) / 600_000) * 600_000 + 60_000;
  const at = (ms: number) => new Date(start + ms).toISOString();
  for (let i = 0; i < 12; i++) append([annunciation(1, BAD_ACTOR, 'high')], at(i * 3_000));
  append([annunciation(2, QUIET, 'low')], at(40_000));
  append([ack(1)], at(90_000));
  append([ack(2)], at(130_000));
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the KPI page', () => {
  it('charts the last 24 h with the flood line, lists the bad actors, and keeps to the CSP', async () => {
    const { context, page, seen } = await openSignedIn(browser, t.app.url, session, '/kpi.html');
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

    // The chart: a uPlot canvas over every 10-minute window of the day (145, the day not being aligned).
    const chart = page.locator('#kpi-chart[data-points]');
    await chart.waitFor();
    expect(await chart.getAttribute('data-points')).toBe('145');
    expect(await page.locator('#kpi-chart canvas').count()).toBe(1);
    expect(await page.locator('#kpi-chart .u-legend').textContent()).toContain('Flood threshold (more than 10)');
    // Both series are painted: the flood line in the alarm colour, the bars in the primary one.
    // (A string: the tests compile without the DOM's types.)
    const painted = (await page.evaluate(`(() => {
      const canvas = document.querySelector('#kpi-chart canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let flood = 0;
      let bars = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
        if (a > 200 && r > 150 && g < 60 && b < 60) flood++;
        if (a > 0 && b > 150 && r < 120) bars++;
      }
      return { flood, bars };
    })()`)) as { flood: number; bars: number };
    expect(painted.flood).toBeGreaterThan(100);
    expect(painted.bars).toBeGreaterThan(0);
    expect(await page.locator('#kpi-chart-summary').textContent()).toContain(
      '1 of 145 windows had more than 10 annunciations; the busiest had 13.',
    );

    // The figures and the lists; the hostile name shows as text.
    expect(await page.locator('#kpi-annunciated').textContent()).toBe('13');
    expect(await page.locator('#kpi-ack-p50').textContent()).toBe('1 min');
    const top = page.locator('#kpi-top tr');
    expect(await top.allTextContents()).toEqual([`1${BAD_ACTOR}12`, `2${QUIET}1`]);
    expect(await page.locator('#kpi-top b').count()).toBe(0);
    expect(await page.locator('#kpi-chattering tr').allTextContents()).toEqual([`${BAD_ACTOR}12`]);
    await page.locator('#kpi-stale-empty').waitFor();
    const high = page.locator('#kpi-severity tr[data-severity="high"]');
    expect(await high.locator('td').nth(1).textContent()).toBe('12');
    expect(await high.locator('.share-text').textContent()).toContain('92.3');
    expect(await high.locator('td').last().textContent()).toBe('≈ 5 %');
    await screenshot(page, 'kpi');

    // A period without alarms, through the range control.
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.getByLabel('From (local time)').fill(local(Date.now() - 60 * 60_000));
    await page.getByLabel('To (local time)').fill(local(Date.now()));
    await page.getByRole('button', { name: 'Show KPIs' }).click();
    await page.locator('#kpi-top-empty').waitFor();
    expect(await page.locator('#kpi-annunciated').textContent()).toBe('0');
    await page.locator('#kpi-chart[data-points="7"]').waitFor();
    // And back to the last 24 h.
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await page.locator('#kpi-top tr', { hasText: BAD_ACTOR }).waitFor();

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('is in the navigation', async () => {
    const { context, page, seen } = await openSignedIn(browser, t.app.url, session, '/history.html');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'KPIs' }).click();
    await page.locator('#kpi-chart[data-points]').waitFor();
    expect(await page.getByRole('link', { name: 'KPIs' }).getAttribute('aria-current')).toBe('page');
    expect(seen.csp).toEqual([]);
    await context.close();
  });
});
