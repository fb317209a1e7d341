import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/modbus/simulator.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  adminSession,
  create,
  fieldError,
  launchBrowser,
  openPage,
  openSignedIn,
  screenshot,
  signIn,
  simulatedPlant,
} from './browser-harness.js';

// Every page in a real Chromium: hostile names stay text, the strict CSP is never violated,
// the plant page is live, personal items sync and show conflicts, and permissions shape the UI.
let t: TestApp;
let sim: Simulator;
let browser: Browser;
let token: string;
let base: string;
let session: Awaited<ReturnType<typeof adminSession>>;

const HOSTILE_RULE = '<script>alert(1)</script>';
const HOSTILE_POINT = '<img src=x onerror=alert(2)>';

beforeAll(async () => {
  [sim, browser, t] = await Promise.all([createSimulator(), launchBrowser(), startTestApp({ DEMO: '0' })]);
  base = t.app.url;
  session = await adminSession(t);
  token = session.access_token;
  const { datapoint } = await simulatedPlant(t, token, sim, { label: 'TT7', description: HOSTILE_POINT });
  await create(t, token, '/api/rules', {
    datapoint_id: datapoint.id,
    name: HOSTILE_RULE,
    severity: 'critical',
    comparison: 'above',
    warning_threshold: 50,
    alarm_threshold: 90,
  });
  sim.setFloat32('holding', 0, 95);
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await sim?.close();
});

describe('every page', () => {
  it('shows hostile names as text, never runs them, and violates no CSP directive', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, session);

    const alarmName = page.locator('tr.alarm-row .alarm-name');
    await alarmName.waitFor();
    expect(await alarmName.textContent()).toBe(HOSTILE_RULE);
    expect(await page.locator('tr.alarm-row .alarm-point').textContent()).toContain(HOSTILE_POINT);
    expect(await page.locator('tr.alarm-row script, tr.alarm-row img').count()).toBe(0);

    await page.goto(`${base}/rules.html`);
    await page.locator('#rules-body td.col-name', { hasText: HOSTILE_RULE }).waitFor();
    await page.getByRole('button', { name: `Edit ${HOSTILE_RULE}` }).click();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(HOSTILE_RULE);

    // Schedule windows: the API's error for window 2 lands on window 2's start field.
    const windows = page.locator('#schedule-windows fieldset.window');
    await page.getByLabel('Active only during these windows').check();
    await page.getByLabel('Time zone (IANA)').fill('UTC');
    await windows.nth(0).getByLabel('Sat, window 1').check();
    await windows.nth(0).getByLabel('Sun, window 1').check();
    await windows.nth(0).getByLabel('Start').fill('00:00');
    await windows.nth(0).getByLabel('End').fill('24:00');
    await page.getByRole('button', { name: 'Add window' }).click();
    await windows.nth(1).getByLabel('Start').fill('25:00');
    await page.getByRole('button', { name: 'Save rule' }).click();
    expect(await fieldError(page, 'schedule.windows.1.start')).toContain('HH:MM');
    expect(await page.locator('[data-path="schedule.windows.0.start"] .field-error').count()).toBe(0);
    await page.setViewportSize({ width: 1366, height: 1500 }); // the sticky editor scrolls on its own: show it whole
    await screenshot(page, 'rules-schedule');
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.getByRole('button', { name: 'Remove window 2' }).click();
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.locator('#rules-body tr', { hasText: 'every day 00:00–24:00 (UTC)' }).waitFor();
    const rules = await t.call('GET', '/api/rules', { token });
    expect(rules.json[0].schedule).toEqual({ timezone: 'UTC', windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }] });

    // The plant page: the PLC's connection and the datapoint's value, live.
    await page.goto(`${base}/plant.html`);
    const plcRow = page.locator('#plcs-body tr', { hasText: 'Line 1' });
    await plcRow.locator('.conn-badge--connected').waitFor({ timeout: 3000 });
    const pointRow = page.locator('#points-body tr', { hasText: 'TT7' });
    expect(await pointRow.locator('.point-description').textContent()).toBe(HOSTILE_POINT);
    sim.setFloat32('holding', 0, 96.5);
    await pointRow.locator('.live-value', { hasText: '96.5 °C' }).waitFor({ timeout: 2000 });
    expect(await pointRow.locator('.quality').textContent()).toBe('Good');
    await screenshot(page, 'plant');

    await page.goto(`${base}/history.html`);
    await page.locator('#history-body td', { hasText: HOSTILE_RULE }).first().waitFor();
    // What the filters show, as a CSV file: the SPEC header, the hostile name as text in it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('alarm-history.csv');
    const exported = readFileSync((await download.path())!, 'utf8');
    expect(exported.split('\r\n')[0]).toBe('id,ts,topic,type,rule_id,rule_name,plc_id,state,previous_state,value,user,comment');
    expect(exported).toContain(`rule_created,1,${HOSTILE_RULE}`);
    await page.goto(`${base}/items.html`);
    await page.locator('#items-empty').waitFor();

    expect(seen.dialogs).toEqual([]);
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('adds a PLC and a datapoint through the forms, with field errors, and deletes them', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, session, '/plant.html');
    await page.getByRole('button', { name: 'Add PLC' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Line 2');
    await page.getByLabel('Host or IP address').fill('127.0.0.1');
    await page.getByLabel('Port').fill('1'); // nobody listens there
    await page.getByLabel('Poll every (ms)').fill('20');
    await page.getByRole('button', { name: 'Save PLC' }).click();
    await fieldError(page, 'poll_interval_ms');
    await page.getByLabel('Poll every (ms)').fill('200');
    await page.getByLabel('Timeout (ms)').fill('200');
    await page.getByRole('button', { name: 'Save PLC' }).click();
    const line2 = page.locator('#plcs-body tr', { hasText: 'Line 2' });
    await line2.locator('.conn-badge--disconnected').waitFor({ timeout: 3000 });

    await page.getByRole('button', { name: 'Add datapoint' }).click();
    const pointForm = page.locator('#point-form');
    await pointForm.getByLabel('PLC').selectOption({ label: 'Line 2' });
    await pointForm.getByLabel('Label').fill('XS1');
    await pointForm.getByLabel('Description').fill('Door switch');
    await pointForm.getByLabel('Area').selectOption('coil');
    await pointForm.getByLabel('Address').fill('3');
    await pointForm.getByLabel('Type').selectOption('float32');
    await page.getByRole('button', { name: 'Save datapoint' }).click();
    expect(await fieldError(page, 'type')).toContain('type must be "bool"');
    await screenshot(page, 'plant-editor');
    await pointForm.getByLabel('Type').selectOption('bool');
    await page.getByRole('button', { name: 'Save datapoint' }).click();
    await page.locator('#points-body tr', { hasText: 'Door switch' }).waitFor();

    // Still has a datapoint: the page asks again before deleting in cascade.
    await line2.getByRole('button', { name: 'Delete Line 2' }).click();
    await line2.waitFor({ state: 'detached', timeout: 3000 });
    await page.locator('#points-body tr', { hasText: 'Door switch' }).waitFor({ state: 'detached' });
    expect(seen.dialogs).toEqual([
      'confirm: Delete the PLC “Line 2”?',
      'confirm: “Line 2” still has 1 datapoint(s). Delete them and the rules watching them too?',
    ]);
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('creates, syncs and edits personal items, shows a due timer and a 409 conflict', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, session, '/items.html');
    await page.locator('#items-empty').waitFor();

    // A two-second timer through the form: it comes due, prominently, on this page.
    await page.getByRole('button', { name: 'New alarm or timer' }).click();
    await page.getByLabel('Timer (countdown)').check();
    await page.getByLabel('Label').fill('Tea');
    await page.getByLabel('Minutes').fill('0');
    await page.getByLabel('Seconds').fill('2');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const tea = page.locator('.item-card', { hasText: 'Tea' });
    await tea.waitFor();
    await tea.locator('.item-due').waitFor({ timeout: 5000 });
    await page.locator('#due-banner', { hasText: 'Tea' }).waitFor();

    // A daily alarm made on another device appears without a reload.
    const phoneId = '0b6c3c7e-8d4f-4c55-9a51-4d0f1f0e2a10';
    const made = await t.call('PUT', `/api/items/${phoneId}`, {
      token,
      body: { kind: 'alarm', label: 'Shift handover', alarm: { time: '06:45', days: [1, 2, 3, 4, 5], timezone: 'Europe/Berlin' } },
    });
    expect(made.status).toBe(201);
    const handover = page.locator('.item-card', { hasText: 'Shift handover' });
    await handover.waitFor({ timeout: 2000 });
    expect(await handover.locator('.item-when').textContent()).toBe('06:45 · Mon–Fri · Europe/Berlin');

    // Edited here while the other device renames it: saving is a conflict, shown, then resolved.
    await handover.getByRole('button', { name: 'Edit Shift handover' }).click();
    await page.getByLabel('Label').fill('Shift handover, line 1');
    const renamed = await t.call('PUT', `/api/items/${phoneId}`, {
      token,
      headers: { 'if-match': '1' },
      body: { kind: 'alarm', label: 'Handover (phone)', alarm: { time: '06:45', days: [1, 2, 3, 4, 5], timezone: 'Europe/Berlin' } },
    });
    expect(renamed.status).toBe(200);
    await page.locator('.item-card', { hasText: 'Handover (phone)' }).waitFor({ timeout: 2000 });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.locator('#item-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Conflict (409)');
    expect(await conflict.textContent()).toContain('now version 2');
    await screenshot(page, 'items-conflict');
    await conflict.getByRole('button', { name: 'Save mine over theirs' }).click();
    await page.locator('.item-card', { hasText: 'Shift handover, line 1' }).waitFor();
    const stored = await t.call('GET', `/api/items/${phoneId}`, { token });
    expect(stored.json).toMatchObject({ label: 'Shift handover, line 1', version: 3 });

    // Deleted elsewhere: gone here.
    await t.call('DELETE', `/api/items/${phoneId}`, { token });
    await page.locator('.item-card', { hasText: 'Shift handover' }).waitFor({ state: 'detached', timeout: 2000 });
    await screenshot(page, 'items');

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('is read-only for a viewer, lands a plain user on their items, and a 401 returns to sign-in', async () => {
    for (const [username, role] of [
      ['vera', 'viewer'],
      ['uli', 'user'],
    ]) {
      const res = await t.call('POST', '/api/users', { token, body: { username, password: 'password-123', role } });
      expect(res.status).toBe(201);
    }
    const { context, page, seen } = await openPage(browser);
    await signIn(page, base, 'vera', 'password-123');
    await page.locator('tr.alarm-row', { hasText: HOSTILE_RULE }).waitFor();
    expect(await page.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);
    expect(await page.locator('#active-table th.col-actions').isVisible()).toBe(false);
    await page.goto(`${base}/rules.html`);
    await page.locator('#read-only-note').waitFor();
    expect(await page.getByRole('button', { name: 'New rule' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: /^Edit/ }).count()).toBe(0);

    // A token the server no longer accepts: the next API call goes back to sign-in.
    // (Page functions are strings here: the test's TypeScript has no DOM types.)
    await page.evaluate(`sessionStorage.setItem('alarms.token', 'x.eyJleHAiOjQxMDI0NDQ4MDB9.y')`);
    await page.reload();
    await page.waitForURL(/\/login\.html\?.*reason=expired/);
    await page.locator('#login-status', { hasText: 'session has ended' }).waitFor();
    expect(await page.evaluate(`sessionStorage.getItem('alarms.token')`)).toBeNull();

    // A plain user has no alarm pages: items only, from the start.
    await signIn(page, base, 'uli', 'password-123');
    expect(new URL(page.url()).pathname).toBe('/items.html');
    expect(await page.locator('#app-header nav a').allTextContents()).toEqual(['My alarms & timers']);

    // Sign-out clears the session.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\.html\?reason=signed_out/);
    await page.goto(`${base}/rules.html`);
    await page.waitForURL(/\/login\.html/);

    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('reads well on a phone', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, session, '/', {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await page.locator('tr.alarm-row').first().waitFor();
    // Nothing wider than the screen: rows stack instead of scrolling sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'alarms-phone');
    await page.goto(`${base}/rules.html`);
    await page.locator('#rules-body tr').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'rules-phone');
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
