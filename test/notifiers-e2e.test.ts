import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { webhookSignature } from '../src/notify/index.js';
import { driveStates, simulatedRule } from './helpers/alarm-plant.js';
import { MACHINE_BROKER, subscriber, type Received } from './helpers/mosquitto.js';
import { wsClient, type Msg, type WsClient } from './helpers/stream-clients.js';
import { startTestApp, type Json, type TestApp } from './helpers/test-app.js';
import { until } from './helpers/until.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './helpers/webhook-receiver.js';

// The whole trip of a notification on a running app with a file database: a register on a real
// Modbus TCP simulator -> the engine -> the journal -> a notifier -> a real HTTP receiver or
// the machine's Mosquitto.
const SECRET = 'e2e-secret-of-16-chars';
let sim: Simulator;
let t: TestApp | undefined;
let receivers: WebhookReceiver[] = [];
let clients: WsClient[] = [];
let dir: string;

beforeEach(async () => {
  sim = await createSimulator();
  dir = mkdtempSync(join(tmpdir(), 'notify-e2e-'));
});
afterEach(async () => {
  for (const c of clients) c.ws.terminate();
  clients = [];
  await t?.stop();
  t = undefined;
  for (const r of receivers) await r.close();
  receivers = [];
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function started() {
  t = await startTestApp({ DATABASE: join(dir, 'alarms.sqlite') });
  const app = t;
  const token = await app.login();
  const c = wsClient(`${app.app.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  clients.push(c);
  await c.next('snapshot');
  const notifier = async (body: Json) => {
    const res = await app.call('POST', '/api/notifiers', { token, body });
    if (res.status !== 201) throw new Error(JSON.stringify(res.json));
    return res.json;
  };
  return { app, token, stream: c, notifier };
}

/** The stream body of an event as the journal has it (what a webhook receives). */
const streamed = (m: Msg) => JSON.stringify(m);
const idsOf = (requests: ReceivedRequest[]) => requests.map((r) => r.headers['x-alarm-event-id']);

describe('webhook', () => {
  it('gets each alarm transition and ack, signed, in event-id order, and nothing else', async () => {
    const { app, token, stream, notifier } = await started();
    const hook = await receiver();
    await notifier({ kind: 'webhook', name: 'Pager', url: hook.url, secret: SECRET, events: ['alarm_state', 'alarm_ack'] });
    const { rule } = await simulatedRule(app.call, token, sim);

    const raised = await driveStates(sim, stream, ['WARNING', 'ALARM']);
    expect((await app.call('POST', `/api/alarms/${rule.id}/ack`, { token, body: { comment: 'on it' } })).status).toBe(200);
    const ack = await stream.next('alarm_ack');
    const cleared = await driveStates(sim, stream, ['WARNING', 'OK']);
    const driven = [...raised, ack, ...cleared];
    const last = driven.at(-1)!.id as number;
    await hook.inbox.next((r) => r.headers['x-alarm-event-id'] === String(last), 'the OK');

    // Exactly the alarm states and acks journaled (all after the notifier was made: the rule came
    // after it), each once, in order: the ones driven here, and any a slow poll made on the way (under load, a read that
    // times out is a transition too). Config events (rule_created...) and plc_status never went out.
    const history = await app.call('GET', `/api/alarms/history?type=alarm_state,alarm_ack&limit=100`, { token });
    const journaled = (history.json.events as Json[]).map((e) => e.id as number).filter((id) => id <= last);
    const requests = hook.inbox.all;
    expect(idsOf(requests)).toEqual(journaled.map(String));
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-alarm-signature']).toBe(webhookSignature(SECRET, request.body));
    }
    const bodyOf = (id: number) => JSON.parse(requests.find((r) => r.headers['x-alarm-event-id'] === String(id))!.body);
    for (const e of driven) expect(bodyOf(e.id as number)).toEqual(JSON.parse(streamed(e)));
    expect(bodyOf(raised[1]!.id as number)).toMatchObject({ type: 'alarm_state', rule_id: rule.id, state: 'ALARM', severity: 'high' });

    // The last answer has reached the loop once it counts it.
    const status = await until(
      'the last delivery counted',
      async () => (await app.call('GET', '/api/notifiers', { token })).json[0].status,
      (s) => s.state === 'idle' && s.last_delivered_id === last,
    );
    expect(status).toMatchObject({ delivered: requests.length, pending: 0, failed_attempts: 0, last_error: null });
    expect(status.last_delivered_at).toEqual(expect.any(String));
  });

  it('leaves out rules below min_severity, and acks of them', async () => {
    const { app, token, stream, notifier } = await started();
    const hook = await receiver();
    const probe = await receiver();
    await notifier({ kind: 'webhook', name: 'Critical only', url: hook.url, secret: SECRET, min_severity: 'critical' });
    await notifier({ kind: 'webhook', name: 'Everything', url: probe.url, secret: SECRET });
    const { rule } = await simulatedRule(app.call, token, sim, 'high');
    const states = await driveStates(sim, stream, ['ALARM']);
    await app.call('POST', `/api/alarms/${rule.id}/ack`, { token });
    const ack = await stream.next('alarm_ack');
    // The other notifier got both: by then the first has looked at them too.
    expect(idsOf(await probe.received(2))).toEqual([states[0]!.id, ack.id].map(String));
    await app.call('PATCH', `/api/rules/${rule.id}`, { token, body: { severity: 'critical' } });
    const [after] = await driveStates(sim, stream, ['OK']);
    expect(idsOf(await hook.received(1))).toEqual([String(after!.id)]);
  });

  it('retries an endpoint that answers 500, resets and is slow, then gets everything in order', async () => {
    const { app, token, stream, notifier } = await started();
    const hook = await receiver();
    hook.reply({ status: 500, body: 'down for maintenance' }, { reset: true }, { status: 200, delayMs: 300 });
    const created = await notifier({ kind: 'webhook', name: 'Flaky', url: hook.url, secret: SECRET });
    await simulatedRule(app.call, token, sim);
    const expected = await driveStates(sim, stream, ['WARNING', 'ALARM', 'WARNING']);

    // Two failed attempts at the first event, then each event once, in order.
    const requests = await hook.received(expected.length + 2);
    const first = String(expected[0]!.id);
    expect(idsOf(requests)).toEqual([first, first, ...expected.map((e) => String(e.id))]);
    const status = await until(
      'the last delivery counted',
      async () => (await app.call('GET', `/api/notifiers/${created.id}`, { token })).json.status,
      (s) => s.delivered === 3 && s.state === 'idle', // counted as it is sent, idle once the cursor is saved
    );
    expect(status).toMatchObject({ failed_attempts: 2, retrying: null });
    expect(status.last_error).toMatch(/reset|socket|closed|terminated|fetch failed/i);
  });

  it('does not let an endpoint that never answers hold up another notifier or the stream', async () => {
    const { app, token, stream, notifier } = await started();
    const stuck = await receiver();
    stuck.reply(...Array.from({ length: 10 }, () => ({ hang: true }) as const));
    const fine = await receiver();
    await notifier({ kind: 'webhook', name: 'Stuck', url: stuck.url, secret: SECRET });
    await notifier({ kind: 'webhook', name: 'Fine', url: fine.url, secret: SECRET });
    await simulatedRule(app.call, token, sim);
    const states = await driveStates(sim, stream, ['WARNING', 'ALARM', 'WARNING', 'OK']);
    expect(idsOf(await fine.received(states.length))).toEqual(states.map((e) => String(e.id)));
    // Still at its first event (a 5 s time-out may have sent it again, never a later one).
    expect(new Set(idsOf(stuck.inbox.all))).toEqual(new Set([String(states[0]!.id)]));
  });

  it('sends what was pending to the new URL of a PATCH, and a re-enabled notifier starts from now with its counters', async () => {
    const { app, token, stream, notifier } = await started();
    const dead = await receiver();
    dead.reply(...Array.from({ length: 20 }, () => ({ status: 503 })));
    const fixed = await receiver();
    const created = await notifier({ kind: 'webhook', name: 'Moved', url: dead.url, secret: SECRET });
    await simulatedRule(app.call, token, sim);
    const [warning] = await driveStates(sim, stream, ['WARNING']);
    await dead.received(1);
    const statusNow = async () => (await app.call('GET', `/api/notifiers/${created.id}`, { token })).json.status;
    const failed = await until('the failure counted', statusNow, (s) => s.failed_attempts > 0);
    const patched = await app.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { url: fixed.url } });
    expect(patched.status).toBe(200);
    expect(idsOf(await fixed.received(1))).toEqual([String(warning!.id)]);
    await until('the delivery counted', statusNow, (s) => s.delivered === 1);

    // Off, it shows what it did (the failures at the old URL too), as saved in its row.
    const disabled = (await app.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { enabled: false } })).json.status;
    expect(disabled).toMatchObject({
      state: 'disabled',
      delivered: 1,
      last_delivered_id: warning!.id,
      pending: 0,
      retrying: null,
      cursor: null,
    });
    expect(disabled.failed_attempts).toBeGreaterThanOrEqual(failed.failed_attempts); // saved as the URL edit stopped its loop
    expect(disabled.last_error).toMatch(/HTTP 503/);
    expect(disabled.last_delivered_at).toEqual(expect.any(String));
    expect(await statusNow()).toEqual(disabled);

    await driveStates(sim, stream, ['ALARM']);
    await app.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { enabled: true } });
    const [ok] = await driveStates(sim, stream, ['OK']);
    expect(idsOf(await fixed.received(2))).toEqual([String(warning!.id), String(ok!.id)]);
    // Enabled again, it keeps its history and counts on.
    const { failed_attempts, last_error } = disabled;
    const again = await until('the new delivery counted', statusNow, (s) => s.delivered === 2);
    expect(again).toMatchObject({ last_delivered_id: ok!.id, failed_attempts, last_error });
  });

  it('goes on after a restart from where it stopped, without sending anything twice', async () => {
    let { app, token, stream, notifier } = await started();
    const hook = await receiver();
    await notifier({ kind: 'webhook', name: 'Pager', url: hook.url, secret: SECRET });
    await simulatedRule(app.call, token, sim);
    const before = await driveStates(sim, stream, ['WARNING', 'ALARM']);
    await hook.received(2);
    await app.stop();
    t = undefined;

    ({ app, token, stream } = await started());
    const after = await driveStates(sim, stream, ['OK']);
    await hook.inbox.next((r) => r.headers['x-alarm-event-id'] === String(after[0]!.id), 'the OK');
    // Exactly the alarm states journaled, each once and in order: those before the restart, and
    // after it the OK and any the restart itself made (a slow first poll under load marks the
    // value stale, say), read back from the journal.
    const journaled = await app.call('GET', `/api/alarms/history?type=alarm_state&after_id=${before[1]!.id}&limit=100`, { token });
    const since = (journaled.json.events as Json[]).map((e) => e.id as number).filter((id) => id <= after[0]!.id);
    const sent = idsOf(hook.inbox.all);
    expect(sent).toEqual([...before.map((e) => e.id), ...since].map(String)); // history is oldest first
    // It counts on from what it had delivered before the restart.
    const status = await until(
      'the delivery counted',
      async () => (await app.call('GET', '/api/notifiers', { token })).json[0].status,
      (s) => s.state === 'idle' && s.last_delivered_id === after[0]!.id,
    );
    expect(status).toMatchObject({ delivered: sent.length, failed_attempts: 0, last_error: null });
  });
});

describe('MQTT', () => {
  it('publishes each event QoS 1 and the current alarm retained, per PLC and rule, on the machine broker', async () => {
    const { app, token, stream, notifier } = await started();
    const prefix = `e2e-${process.pid}-${Date.now()}`;
    const sub = await subscriber(MACHINE_BROKER, `${prefix}/#`);
    try {
      await notifier({ kind: 'mqtt', name: 'Plant bus', url: MACHINE_BROKER, mqtt_topic: prefix });
      const { plc, rule } = await simulatedRule(app.call, token, sim);
      const [alarm, ok] = await driveStates(sim, stream, ['ALARM', 'OK']);
      const base = `${prefix}/${plc.id}/${rule.id}`;
      const events = async (n: number) => {
        await sub.inbox.next(() => sub.inbox.all.filter((m) => m.topic === `${base}/events`).length >= n, `${n} events`);
        return sub.inbox.all.filter((m) => m.topic === `${base}/events`);
      };
      const published = await events(2);
      expect(published.map((m) => JSON.parse(m.payload).id)).toEqual([alarm!.id, ok!.id]);
      expect(published.every((m) => m.qos === 1)).toBe(true);
      expect(JSON.parse(published[0]!.payload)).toEqual(JSON.parse(JSON.stringify(alarm)));

      // A new subscriber gets the rule's current alarm, retained.
      const late = await subscriber(MACHINE_BROKER, `${base}/state`);
      try {
        const state: Received = await late.inbox.next((m) => m.retain, 'the retained state');
        expect(JSON.parse(state.payload)).toMatchObject({ rule_id: rule.id, plc_id: plc.id, state: 'OK', severity: 'high' });
      } finally {
        await late.client.endAsync();
      }
    } finally {
      // Retained messages outlive the test on the shared broker: clear them.
      for (const topic of new Set(sub.inbox.all.filter((m) => m.retain || m.topic.endsWith('/state')).map((m) => m.topic))) {
        await sub.client.publishAsync(topic, '', { retain: true, qos: 1 });
      }
      await sub.client.endAsync();
    }
  });
});
