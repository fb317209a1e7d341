import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { wsClient, type WsClient } from './helpers/stream-clients.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

// The whole trip, through the public surface: a register on a real Modbus TCP simulator ->
// the poller worker -> the engine -> the journal -> WebSocket and REST.
let sim: Simulator;
let t: TestApp | undefined;
let clients: WsClient[] = [];
let dir: string;
beforeEach(async () => {
  sim = await createSimulator();
  dir = mkdtempSync(join(tmpdir(), 'alarms-e2e-'));
});
afterEach(async () => {
  for (const c of clients) c.ws.terminate();
  clients = [];
  await t?.stop();
  t = undefined;
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The plant; `timeoutMs` of a read is the default, since 300 ms timed out under CI's load (a spurious UNKNOWN). */
async function plant(app: TestApp, token: string, timeoutMs = 1000) {
  const post = async (path: string, body: unknown) => {
    const res = await app.call('POST', path, { token, body });
    if (res.status !== 201) throw new Error(`${path}: ${JSON.stringify(res.json)}`);
    return res.json;
  };
  const plc = await post('/api/plcs', { name: 'Sim', host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: timeoutMs });
  const temp = await post('/api/datapoints', {
    plc_id: plc.id,
    label: 'TT1',
    description: 'Oven temperature',
    area: 'holding',
    address: 0,
    type: 'float32',
    unit: '°C',
  });
  const level = await post('/api/datapoints', { plc_id: plc.id, label: 'LT1', area: 'input', address: 5, type: 'uint16', scale: 0.1 });
  const rule = await post('/api/rules', {
    datapoint_id: temp.id,
    name: 'Oven hot',
    severity: 'high',
    comparison: 'above',
    warning_threshold: 80,
    alarm_threshold: 100,
  });
  return { plc, temp, level, rule };
}

const stream = (app: TestApp, token: string) => {
  const c = wsClient(`${app.app.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  clients.push(c);
  return c;
};

describe('a register change becomes a journaled transition', () => {
  it('raises, streams, acks, shelves and clears an alarm with the SPEC fields', async () => {
    t = await startTestApp({ DATABASE: join(dir, 'a.sqlite') });
    const token = await t.login();
    sim.setFloat32('holding', 0, 20);
    sim.setInput(5, 423);
    const c = stream(t, token);
    await c.next('snapshot');
    const { plc, temp, level, rule } = await plant(t, token);

    expect((await c.next('plc_status', (m) => m.connected)).plc_id).toBe(plc.id);
    await c.next('values', (m) =>
      m.values.some((v: { datapoint_id: number; value: number }) => v.datapoint_id === level.id && Math.abs(v.value - 42.3) < 1e-9),
    );
    const read = await t.call('GET', `/api/datapoints/${temp.id}`, { token });
    expect(read.json.live).toMatchObject({ value: 20, quality: 'good' });
    expect((await t.call('GET', `/api/plcs/${plc.id}`, { token })).json.status).toMatchObject({ connected: true, last_error: null });

    sim.setFloat32('holding', 0, 105.5);
    const raised = await c.next('alarm_state', (m) => m.state === 'ALARM');
    expect(raised).toMatchObject({
      topic: 'alarms',
      rule_id: rule.id,
      rule_name: 'Oven hot',
      datapoint_id: temp.id,
      datapoint_label: 'TT1',
      plc_id: plc.id,
      state: 'ALARM',
      previous_state: 'OK',
      severity: 'high',
      comparison: 'above',
      value: 105.5,
      warning_threshold: 80,
      alarm_threshold: 100,
      acked: false,
      shelved: false,
      reason: 'value',
      message: 'Rule Oven hot -> ALARM',
    });
    const active = await t.call('GET', '/api/alarms/active', { token });
    expect(active.json.active).toEqual([
      expect.objectContaining({ rule_id: rule.id, state: 'ALARM', datapoint_description: 'Oven temperature', acked: false }),
    ]);
    expect(active.json.last_event_id).toBeGreaterThanOrEqual(raised.id);

    const ack = await t.call('POST', `/api/alarms/${rule.id}/ack`, { token, body: { comment: 'on it' } });
    expect(ack.status).toBe(200);
    expect(await c.next('alarm_ack')).toMatchObject({ rule_id: rule.id, user: 'admin', comment: 'on it' });
    expect((await t.call('POST', `/api/alarms/${rule.id}/ack`, { token })).status).toBe(200); // idempotent

    await t.call('POST', `/api/alarms/${rule.id}/shelve`, { token, body: { duration_ms: 60_000, comment: 'maintenance' } });
    expect(await c.next('alarm_shelved')).toMatchObject({ rule_id: rule.id, user: 'admin', comment: 'maintenance' });
    expect((await t.call('GET', '/api/alarms/active', { token })).json.active).toEqual([]);
    expect((await t.call('GET', '/api/alarms/active?include_shelved=1', { token })).json.active).toHaveLength(1);
    sim.setFloat32('holding', 0, 90);
    expect(await c.next('alarm_state', (m) => m.state === 'WARNING')).toMatchObject({ shelved: true, acked: false });
    await t.call('DELETE', `/api/alarms/${rule.id}/shelve`, { token });
    await c.next('alarm_unshelved');

    sim.setFloat32('holding', 0, 20);
    await c.next('alarm_state', (m) => m.state === 'OK');
    const history = await t.call('GET', `/api/alarms/history?rule_id=${rule.id}`, { token });
    expect(history.json.events.map((e: { type: string; state?: string }) => e.state ?? e.type)).toEqual([
      'rule_created',
      'ALARM',
      'alarm_ack',
      'alarm_shelved',
      'WARNING',
      'alarm_unshelved',
      'OK',
    ]);
  });

  it('goes UNKNOWN with reason quality when the PLC stops answering, and back when it returns', async () => {
    t = await startTestApp();
    const token = await t.login();
    sim.setFloat32('holding', 0, 50);
    const c = stream(t, token);
    await c.next('snapshot');
    const { plc, temp } = await plant(t, token, 300); // silence is found by the time-out
    await c.next('plc_status', (m) => m.connected);
    sim.setFault({ kind: 'silent' });
    expect(await c.next('plc_status', (m) => !m.connected)).toMatchObject({ plc_id: plc.id, error: expect.any(String) });
    expect(await c.next('alarm_state', (m) => m.state === 'UNKNOWN')).toMatchObject({ reason: 'quality', value: null });
    expect((await t.call('GET', `/api/datapoints/${temp.id}`, { token })).json.live.quality).toBe('bad');
    sim.setFault(null);
    await c.next('alarm_state', (m) => m.state === 'OK' && m.previous_state === 'UNKNOWN');
  });

  it('reacts at once to rule edits and deletions (reasons rule_changed and deleted)', async () => {
    t = await startTestApp();
    const token = await t.login();
    sim.setFloat32('holding', 0, 90);
    const c = stream(t, token);
    await c.next('snapshot');
    const { rule } = await plant(t, token);
    await c.next('alarm_state', (m) => m.state === 'WARNING');
    await t.call('PATCH', `/api/rules/${rule.id}`, { token, body: { alarm_threshold: 85 } });
    expect(await c.next('alarm_state', (m) => m.state === 'ALARM')).toMatchObject({ reason: 'rule_changed', alarm_threshold: 85 });
    await t.call('PATCH', `/api/rules/${rule.id}`, { token, body: { enabled: false } });
    expect(await c.next('alarm_state', (m) => m.reason === 'disabled')).toMatchObject({ state: 'OK' });
    await t.call('PATCH', `/api/rules/${rule.id}`, { token, body: { enabled: true } });
    await c.next('alarm_state', (m) => m.state === 'ALARM' && m.reason === 'rule_changed');
    await t.call('DELETE', `/api/rules/${rule.id}`, { token });
    expect(await c.next('alarm_state', (m) => m.reason === 'deleted')).toMatchObject({ state: 'OK', previous_state: 'ALARM' });
    expect((await t.call('POST', `/api/alarms/${rule.id}/ack`, { token })).status).toBe(404);
  });

  it('keeps an unacked alarm across a restart without announcing it again', async () => {
    const env = { DATABASE: join(dir, 'restart.sqlite') };
    t = await startTestApp(env);
    let token = await t.login();
    sim.setFloat32('holding', 0, 120);
    const c = stream(t, token);
    await c.next('snapshot');
    const { rule } = await plant(t, token);
    const raised = await c.next('alarm_state', (m) => m.state === 'ALARM');
    await t.stop();

    t = await startTestApp(env);
    token = await t.login();
    const active = (await t.call('GET', '/api/alarms/active', { token })).json;
    expect(active.active).toEqual([expect.objectContaining({ rule_id: rule.id, state: 'ALARM', acked: false, since: raised.since })]);
    const again = stream(t, token);
    await again.next('snapshot');
    // A new value still in ALARM: once it is seen, the engine has evaluated the restored rule.
    sim.setFloat32('holding', 0, 125);
    await again.next('values', (m) => m.values.some((v: { value: number }) => v.value === 125));
    const history = (await t.call('GET', `/api/alarms/history?rule_id=${rule.id}&after_id=${raised.id}`, { token })).json;
    expect(history.events.filter((e: { type: string }) => e.type === 'alarm_state')).toEqual([]);
  });
});

describe('acknowledging over the WebSocket', () => {
  it('acks like the REST call, and answers an error for an unknown rule', async () => {
    t = await startTestApp();
    const token = await t.login();
    sim.setFloat32('holding', 0, 130);
    const c = stream(t, token);
    await c.next('snapshot');
    const { rule } = await plant(t, token);
    await c.next('alarm_state', (m) => m.state === 'ALARM');
    c.send({ type: 'ack', rule_id: rule.id, comment: 'from the panel' });
    expect(await c.next('alarm_ack')).toMatchObject({ rule_id: rule.id, user: 'admin', comment: 'from the panel' });
    c.send({ type: 'ack', rule_id: 999 });
    expect(await c.next('error')).toMatchObject({ code: 'not_found' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);

    const viewer = stream(t, await t.userWithRole('viewer', token));
    await viewer.next('snapshot');
    viewer.send({ type: 'ack', rule_id: rule.id });
    expect(await viewer.next('error')).toMatchObject({ code: 'forbidden' });
  });
});

describe('bad input to the alarm endpoints', () => {
  it('answers 404 for unknown rules and 400 for shelves over 8 h or without a duration', async () => {
    t = await startTestApp();
    const token = await t.login();
    const { rule } = await plant(t, token);
    expect((await t.call('POST', '/api/alarms/999/ack', { token })).status).toBe(404);
    expect((await t.call('POST', '/api/alarms/999/shelve', { token, body: { duration_ms: 1000 } })).status).toBe(404);
    expect((await t.call('POST', `/api/alarms/${rule.id}/shelve`, { token, body: { duration_ms: 8 * 3_600_000 + 1 } })).status).toBe(400);
    expect((await t.call('POST', `/api/alarms/${rule.id}/shelve`, { token, body: {} })).status).toBe(400);
    const viewer = await t.userWithRole('viewer', token);
    expect((await t.call('POST', `/api/alarms/${rule.id}/ack`, { token: viewer })).status).toBe(403);
  });
});
