import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { fakePoller } from './helpers/fake-poller.js';
import { startTestApp, type Json, type TestApp } from './helpers/test-app.js';

// SPEC 13 through the API: out of service, suppression by design, escalation. Values come from a
// stand-in for the Modbus poller, time from a manual clock: nothing here waits real time.
const clock = manualClock();
const poller = fakePoller(clock.now);

let t: TestApp;
let admin: string;
let operator: string;
let plc: Json;
let flow: Json;
let running: Json;
beforeAll(async () => {
  t = await startTestApp({}, { clock, poller: poller.create });
  admin = await t.login();
  operator = await t.userWithRole('operator', admin);
  plc = await post('/api/plcs', { name: 'Pumps', host: '127.0.0.1' });
  flow = await post('/api/datapoints', {
    plc_id: plc.id,
    label: 'P1_FLOW',
    description: 'Pump 1 flow',
    area: 'holding',
    address: 0,
    type: 'uint16',
  });
  running = await post('/api/datapoints', {
    plc_id: plc.id,
    label: 'P1_RUN',
    description: 'Pump 1 running',
    area: 'coil',
    address: 0,
    type: 'bool',
  });
});
afterAll(() => t.stop());

async function post(path: string, body: unknown, token = admin) {
  const res = await t.call('POST', path, { token, body });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** One poll of the PLC at the clock's now. */
const poll = (values: Record<number, number | null>) => poller.poll(plc.id, values);

async function eventsOf(ruleId: number): Promise<Json[]> {
  await t.app.journal.idle();
  return (await t.call('GET', `/api/alarms/history?rule_id=${ruleId}&limit=1000`, { token: admin })).json.events.filter(
    (e: Json) => e.topic === 'alarms',
  );
}

const flowLowRule = (over: Record<string, unknown> = {}) => ({
  datapoint_id: flow.id,
  name: `Flow low ${Math.random().toString(36).slice(2, 6)}`,
  comparison: 'below',
  warning_threshold: 30,
  alarm_threshold: 10,
  ...over,
});
const activeIds = async () => (await t.call('GET', '/api/alarms/active', { token: operator })).json.active.map((a: Json) => a.rule_id);

describe('out of service', () => {
  it('an admin takes an alarm out of service with a comment and returns it; both journaled with who and why', async () => {
    const rule = await post('/api/rules', flowLowRule());
    poll({ [flow.id]: 5, [running.id]: 1 });
    expect(await activeIds()).toContain(rule.id);

    const out = await t.call('POST', `/api/alarms/${rule.id}/out-of-service`, { token: admin, body: { comment: 'FT-1 sheared' } });
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ rule_id: rule.id, state: 'OK' });
    expect(await activeIds()).not.toContain(rule.id);
    const listed = (await t.call('GET', '/api/alarms/out-of-service', { token: operator })).json.out_of_service;
    expect(listed).toEqual([
      { rule_id: rule.id, rule_name: rule.name, user: 'admin', comment: 'FT-1 sheared', since: new Date(clock.now()).toISOString() },
    ]);
    poll({ [flow.id]: 0 }); // not evaluated meanwhile
    expect((await t.call('GET', '/api/alarms/kpis', { token: operator })).json).toMatchObject({ out_of_service: 1 });

    const back = await t.call('DELETE', `/api/alarms/${rule.id}/out-of-service`, { token: admin, body: { comment: 'replaced' } });
    expect(back.json).toMatchObject({ state: 'ALARM', acked: false }); // evaluated at once
    const events = (await eventsOf(rule.id)).map((e) => [e.type, e.state ?? null, e.reason ?? null, e.user ?? null, e.comment ?? null]);
    expect(events).toEqual([
      ['alarm_state', 'ALARM', 'value', null, null],
      ['alarm_out_of_service', null, null, 'admin', 'FT-1 sheared'],
      ['alarm_state', 'OK', 'out_of_service', null, null],
      ['alarm_in_service', null, null, 'admin', 'replaced'],
      ['alarm_state', 'ALARM', 'value', null, null],
    ]);
    expect((await t.call('GET', '/api/alarms/out-of-service', { token: admin })).json.out_of_service).toEqual([]);
  });

  it('needs alarms:admin and a comment; nothing happens otherwise', async () => {
    const rule = await post('/api/rules', flowLowRule());
    const before = (await eventsOf(rule.id)).length;
    expect((await t.call('POST', `/api/alarms/${rule.id}/out-of-service`, { token: operator, body: { comment: 'x' } })).status).toBe(403);
    const noComment = await t.call('POST', `/api/alarms/${rule.id}/out-of-service`, { token: admin, body: { comment: '  ' } });
    expect(noComment.status).toBe(400);
    expect(noComment.json.error.details[0].path).toBe('comment');
    expect((await t.call('POST', `/api/alarms/${rule.id}/out-of-service`, { token: admin, body: { comment: 'x', why: 1 } })).status).toBe(
      400,
    );
    expect((await t.call('POST', '/api/alarms/999999/out-of-service', { token: admin, body: { comment: 'x' } })).status).toBe(404);
    expect(await eventsOf(rule.id)).toHaveLength(before);
  });
});

describe('suppression by design', () => {
  it('a stopped pump suppresses its low-flow alarm; listed with what it would be; evaluated again when the pump runs', async () => {
    poll({ [running.id]: 0, [flow.id]: 0 });
    const rule = await post('/api/rules', flowLowRule({ suppress_when: { datapoint_id: running.id, comparison: 'equal', value: 0 } }));
    expect(await activeIds()).not.toContain(rule.id);
    const suppressed = (await t.call('GET', '/api/alarms/suppressed', { token: operator })).json.suppressed;
    expect(suppressed).toContainEqual({ rule_id: rule.id, rule_name: rule.name, would_be: 'ALARM' });
    expect((await t.call('GET', '/api/alarms/kpis', { token: operator })).json).toMatchObject({ suppressed: 1, out_of_service: 0 });

    poll({ [running.id]: 1, [flow.id]: 0 }); // the pump starts, no flow yet
    expect(await activeIds()).toContain(rule.id);
    poll({ [running.id]: 0 });
    const states = (await eventsOf(rule.id)).filter((e) => e.type === 'alarm_state').map((e) => `${e.state}:${e.reason}`);
    expect(states).toEqual(['ALARM:value', 'OK:suppressed']);
  });

  it("refuses a suppression on the rule's own datapoint, on a missing one, and unknown fields", async () => {
    const cases = [
      [{ datapoint_id: flow.id, comparison: 'equal', value: 0 }, 'suppress_when.datapoint_id'],
      [{ datapoint_id: 999_999, comparison: 'equal', value: 0 }, 'suppress_when.datapoint_id'],
      [{ datapoint_id: running.id, comparison: 'equal', value: 0, when: 'now' }, 'suppress_when.when'],
      [{ datapoint_id: running.id, comparison: 'sometimes', value: 0 }, 'suppress_when.comparison'],
    ] as const;
    for (const [suppress_when, path] of cases) {
      const res = await t.call('POST', '/api/rules', { token: admin, body: flowLowRule({ suppress_when }) });
      expect(res.status, JSON.stringify(suppress_when)).toBe(400);
      expect(res.json.error.details.map((d: Json) => d.path)).toContain(path);
    }
  });
});

describe('escalation', () => {
  it('an unacknowledged alarm escalates every escalate_after_s until acked; the active list shows the level', async () => {
    const rule = await post('/api/rules', flowLowRule({ escalate_after_s: 60 }));
    poll({ [running.id]: 1, [flow.id]: 50 });
    poll({ [flow.id]: 5 });
    clock.advance(120_000);
    const listed = (await t.call('GET', '/api/alarms/active', { token: operator })).json.active.find((a: Json) => a.rule_id === rule.id);
    expect(listed).toMatchObject({ state: 'ALARM', escalation: 2 });
    await t.call('POST', `/api/alarms/${rule.id}/ack`, { token: operator, body: {} });
    clock.advance(600_000);
    const events = (await eventsOf(rule.id)).filter((e) => e.type === 'alarm_escalated');
    expect(events.map((e) => [e.level, e.unacked_for_s])).toEqual([
      [1, 60],
      [2, 120],
    ]);
    expect((await eventsOf(rule.id)).find((e) => e.type === 'alarm_state')).toMatchObject({ escalation: 0 });
  });

  it('refuses escalate_after_s under 10 s', async () => {
    const res = await t.call('POST', '/api/rules', { token: admin, body: flowLowRule({ escalate_after_s: 5 }) });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].path).toBe('escalate_after_s');
  });
});
