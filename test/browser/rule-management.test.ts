import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/modbus/simulator.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { adminSession, create, fieldError, launchBrowser, openSignedIn, simulatedPlant } from './browser-harness.js';

// The rules editor's alarm-management fields in Chromium: a designed suppression picked by the
// other datapoint's description, and an escalation period; the API's errors land on their fields.
let t: TestApp;
let sim: Simulator;
let browser: Browser;
let session: Awaited<ReturnType<typeof adminSession>>;

beforeAll(async () => {
  [sim, browser, t] = await Promise.all([createSimulator(), launchBrowser(), startTestApp({ DEMO: '0' })]);
  session = await adminSession(t);
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await sim?.close();
});

describe('the rules editor', () => {
  it('sets a suppression by the datapoint description and an escalation, and shows what the server refuses', async () => {
    const token = session.access_token;
    const { plc, datapoint: flow } = await simulatedPlant(t, token, sim, { label: 'FT1', description: 'Pump 1 outlet flow' });
    const running = await create(t, token, '/api/datapoints', {
      plc_id: plc.id,
      label: 'P1_RUN',
      description: 'Pump 1 running',
      area: 'coil',
      address: 0,
      type: 'bool',
    });
    const rule = await create(t, token, '/api/rules', {
      datapoint_id: flow.id,
      name: 'Flow low',
      comparison: 'below',
      alarm_threshold: 10,
    });

    const { page, seen } = await openSignedIn(browser, t.app.url, session, '/rules.html');
    await page.getByRole('button', { name: 'Edit Flow low' }).click();
    await page.getByLabel('Escalate after (s)').fill('5');
    await page.getByLabel('Suppress this alarm while another datapoint says it means nothing').check();
    const suppressor = page.getByLabel('While', { exact: true });
    const option = suppressor.locator('option', { hasText: 'Pump 1 running' });
    await suppressor.selectOption(await option.getAttribute('value'));
    await page.getByLabel('is', { exact: true }).selectOption('equal');
    await page.getByLabel('Value', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Save rule' }).click();
    expect(await fieldError(page, 'escalate_after_s')).toMatch(/10/);

    await page.getByLabel('Escalate after (s)').fill('120');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText('Rule “Flow low” saved.').waitFor();
    expect((await t.call('GET', `/api/rules/${rule.id}`, { token })).json).toMatchObject({
      escalate_after_s: 120,
      suppress_when: { datapoint_id: running.id, comparison: 'equal', value: 0 },
    });

    // Opened again, the form shows what is stored.
    await page.getByRole('button', { name: 'Edit Flow low' }).click();
    expect(await page.getByLabel('Escalate after (s)').inputValue()).toBe('120');
    expect(await suppressor.inputValue()).toBe(String(running.id));
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
  });
});
