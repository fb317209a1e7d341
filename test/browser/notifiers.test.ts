import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/modbus/simulator.js';
import { webhookSignature } from '../../src/notify/index.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { adminSession, create, fieldError, launchBrowser, openSignedIn, screenshot, simulatedPlant } from './browser-harness.js';

// The notifiers section of the rules page in a real Chromium: add one through the form (with
// the API's field errors), send a test, watch its delivery status go live, disable and delete.
let t: TestApp;
let sim: Simulator;
let browser: Browser;
let hook: WebhookReceiver;
let base: string;
let session: Awaited<ReturnType<typeof adminSession>>;
const SECRET = 'browser-secret-0123456';

beforeAll(async () => {
  [sim, browser, t, hook] = await Promise.all([createSimulator(), launchBrowser(), startTestApp({ DEMO: '0' }), startWebhookReceiver()]);
  base = t.app.url;
  session = await adminSession(t);
  const { datapoint } = await simulatedPlant(t, session.access_token, sim, { label: 'TT1', description: 'Oven' });
  await create(t, session.access_token, '/api/rules', {
    datapoint_id: datapoint.id,
    name: 'Oven hot',
    severity: 'high',
    comparison: 'above',
    alarm_threshold: 100,
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await hook?.close();
  await sim?.close();
});

describe('the notifiers section', () => {
  it('adds a webhook with field errors, tests it, shows live delivery, disables and deletes it', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, session, '/rules.html');
    const section = page.locator('#notifiers');
    await section.locator('#notifiers-empty').waitFor();

    await page.getByRole('button', { name: 'Add notifier' }).click();
    const form = page.locator('#notifier-form');
    expect(await form.getByLabel('Topic prefix').isVisible()).toBe(false);
    await form.getByLabel('Notifier name').fill('Pager');
    await form.getByLabel('URL').fill('ftp://example.com/hook');
    await form.getByLabel('Signing secret').fill('too short');
    await form.getByRole('button', { name: 'Add notifier' }).click();
    expect(await fieldError(page, 'url')).toContain('http:// or https://');
    expect(await fieldError(page, 'secret')).toMatch(/length/i);

    await form.getByLabel('URL').fill(hook.url);
    await form.getByLabel('Signing secret').fill(SECRET);
    await form.getByLabel('alarm_ack').uncheck();
    await form.getByRole('button', { name: 'Add notifier' }).click();
    const row = section.locator('#notifiers-body tr', { hasText: 'Pager' });
    await row.locator('.conn-badge', { hasText: 'Up to date' }).waitFor();
    expect(await row.textContent()).toContain('alarm_state, alarm_escalated');
    expect(await row.textContent()).not.toContain(SECRET);

    await row.getByRole('button', { name: 'Send a test message to Pager' }).click();
    await page.locator('#notifiers-status', { hasText: '“Pager” took the test message.' }).waitFor();
    const [test] = await hook.received(1);
    expect(JSON.parse(test!.body)).toMatchObject({ type: 'notifier_test' });
    expect(test!.headers['x-alarm-signature']).toBe(webhookSignature(SECRET, test!.body));

    // An alarm goes out, and the row shows it delivered (the status is polled).
    sim.setFloat32('holding', 0, 120);
    const [, alarm] = await hook.received(2);
    expect(JSON.parse(alarm!.body)).toMatchObject({ type: 'alarm_state', rule_name: 'Oven hot', state: 'ALARM' });
    await row.locator('.notifier-figures', { hasText: '1 delivered' }).waitFor({ timeout: 5000 });
    await screenshot(page, 'notifiers');

    await row.getByRole('button', { name: 'Disable Pager' }).click();
    await row.locator('.pill', { hasText: 'Disabled' }).waitFor();
    await row.locator('.conn-badge', { hasText: 'Disabled' }).waitFor();
    await row.getByRole('button', { name: 'Delete Pager' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await t.call('GET', '/api/notifiers', { token: session.access_token })).json).toEqual([]);

    expect(seen.dialogs).toEqual(['confirm: Delete the notifier “Pager”? Nothing more is sent to it.']);
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('adds an MQTT notifier with its own fields', async () => {
    const { context, page, seen } = await openSignedIn(browser, base, session, '/rules.html');
    await page.locator('#notifiers-empty').waitFor();
    await page.getByRole('button', { name: 'Add notifier' }).click();
    const form = page.locator('#notifier-form');
    await form.getByLabel('Kind').selectOption('mqtt');
    expect(await form.getByLabel('Signing secret').isVisible()).toBe(false);
    await form.getByLabel('Notifier name').fill('Plant bus');
    await form.getByLabel('URL').fill('mqtt://127.0.0.1:1883');
    await form.getByLabel('Topic prefix').fill('bad/#');
    await form.getByRole('button', { name: 'Add notifier' }).click();
    expect(await fieldError(page, 'mqtt_topic')).toContain('wildcards');
    await form.getByLabel('Topic prefix').fill('site-1/alarms');
    await form.getByLabel('Minimum level').selectOption('critical');
    await form.getByRole('button', { name: 'Add notifier' }).click();
    const row = page.locator('#notifiers-body tr', { hasText: 'Plant bus' });
    await row.waitFor();
    expect(await row.textContent()).toContain('topic site-1/alarms');
    expect(await row.textContent()).toContain('critical and up');
    const [stored] = (await t.call('GET', '/api/notifiers', { token: session.access_token })).json;
    expect(stored).toMatchObject({ kind: 'mqtt', mqtt_topic: 'site-1/alarms', min_severity: 'critical' });
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('is not there for a viewer', async () => {
    const res = await t.call('POST', '/api/users', {
      token: session.access_token,
      body: { username: 'vic', password: 'password-123', role: 'viewer' },
    });
    expect(res.status).toBe(201);
    const viewer = await t.call('POST', '/api/auth/login', { body: { username: 'vic', password: 'password-123' } });
    const { context, page, seen } = await openSignedIn(browser, base, viewer.json, '/rules.html');
    await page.locator('#read-only-note').waitFor();
    expect(await page.locator('#notifiers').isVisible()).toBe(false);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
