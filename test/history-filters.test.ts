import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestApp, type Json, type TestApp } from './helpers/test-app.js';

// History beyond SPEC 4 (README): newest first with ?order=desc, and filters by event type,
// by who acted and by PLC, for JSON pages and CSV exports alike.
let t: TestApp;
let admin: string;
let otherAdmin: string;
let otherName: string;
let lineA: { plc: number; rule: number };
let lineB: { plc: number; rule: number };

async function line(token: string, name: string) {
  const plc = (await t.call('POST', '/api/plcs', { token, body: { name, host: '127.0.0.1' } })).json;
  const point = (
    await t.call('POST', '/api/datapoints', { token, body: { plc_id: plc.id, label: 'TT1', area: 'holding', address: 0, type: 'uint16' } })
  ).json;
  const rule = (
    await t.call('POST', '/api/rules', {
      token,
      body: { datapoint_id: point.id, name: `${name} hot`, severity: 'high', comparison: 'above', alarm_threshold: 50 },
    })
  ).json;
  return { plc: plc.id as number, rule: rule.id as number };
}

/** An acknowledgement as the alarm service journals it: it names the rule, not the PLC. */
const ack = (ruleId: number, comment: string) => ({
  topic: 'alarms' as const,
  type: 'alarm_ack',
  rule_id: ruleId,
  payload: { rule_id: ruleId, user: 'admin', comment },
});
const filler = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    topic: 'system' as const,
    type: 'plc_status',
    payload: { plc_id: 999_999, connected: i % 2 === 0, error: null },
  }));

beforeAll(async () => {
  t = await startRestApp();
  admin = await t.login();
  otherAdmin = await t.userWithRole('admin', admin);
  otherName = (await t.call('GET', '/api/auth/me', { token: otherAdmin })).json.username;
  lineA = await line(admin, 'Line A');
  lineB = await line(otherAdmin, 'Line B');
  // Acks of line A's rule in three blocks of the SQLite rule index (4096 ids each).
  await t.app.journal.append([ack(lineA.rule, 'first')]);
  await t.app.journal.append(filler(4500));
  await t.app.journal.append([ack(lineA.rule, 'second')]);
  await t.app.journal.append(filler(4500));
  await t.app.journal.append([ack(lineA.rule, 'third')]);
});
afterAll(() => t.stop());

const get = (query: string, token = admin) => t.call('GET', `/api/alarms/history?${query}`, { token });
const events = async (query: string) => {
  const res = await get(query);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.events as Json[];
};
const ids = (list: Json[]) => list.map((e) => e.id as number);

/** Every page of a query, following next_after_id. */
async function allPages(query: string): Promise<number[]> {
  const seen: number[] = [];
  let after: number | null = null;
  do {
    const res = await get(`${query}${after === null ? '' : `&after_id=${after}`}`);
    expect(res.status).toBe(200);
    seen.push(...ids(res.json.events));
    after = res.json.next_after_id;
  } while (after !== null);
  return seen;
}

describe('history filters', () => {
  it('filters by one event type or several', async () => {
    expect((await events('type=rule_created')).map((e) => e.rule.name)).toEqual(['Line A hot', 'Line B hot']);
    const created = await events('type=plc_created,%20rule_created');
    expect(created.map((e) => e.type)).toEqual(['plc_created', 'rule_created', 'plc_created', 'rule_created']);
    expect(await events('type=item_due')).toEqual([]);
  });

  it('filters by who acted', async () => {
    const byOther = await events(`type=plc_created,datapoint_created,rule_created&user=${encodeURIComponent(otherName)}`);
    expect(byOther.map((e) => [e.type, e.plc_id])).toEqual([
      ['plc_created', lineB.plc],
      ['datapoint_created', lineB.plc],
      ['rule_created', lineB.plc],
    ]);
    expect((await events('user=admin&type=alarm_ack')).map((e) => e.comment)).toEqual(['first', 'second', 'third']);
    expect(await events('user=nobody')).toEqual([]);
  });

  it('filters by PLC: what names it, and what happened to its rules', async () => {
    const ofA = await events(`plc_id=${lineA.plc}&limit=1000`);
    expect(ofA.map((e) => e.type)).toEqual(['plc_created', 'datapoint_created', 'rule_created', 'alarm_ack', 'alarm_ack', 'alarm_ack']);
    const ofB = await events(`plc_id=${lineB.plc}&type=alarm_ack`);
    expect(ofB).toEqual([]);
  });

  it('combines filters with the rule and time filters', async () => {
    const acks = await events(`rule_id=${lineA.rule}&type=alarm_ack&user=admin&plc_id=${lineA.plc}`);
    expect(acks.map((e) => e.comment)).toEqual(['first', 'second', 'third']);
    expect(await events(`rule_id=${lineA.rule}&to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).toEqual([]);
  });

  it('answers 400 with details for a bad filter', async () => {
    const unknown = await get('type=alarm_ack,alarm_bogus,nope');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('invalid_request');
    expect(unknown.json.error.details).toEqual([{ path: 'type', message: 'unknown event type: alarm_bogus, nope' }]);
    for (const bad of ['type=', 'order=sideways', 'plc_id=0', 'plc_id=x', 'user=%20']) {
      const res = await get(bad);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.details[0].path, bad).toBe(bad.split('=')[0]);
    }
  });
});

describe('newest first', () => {
  it('lists newest first with order=desc, and pages through to the oldest losing nothing', async () => {
    const oldestFirst = await allPages('limit=1000');
    expect(oldestFirst.length).toBeGreaterThan(9000);
    const newestFirst = await allPages('order=desc&limit=700');
    expect(newestFirst).toEqual([...oldestFirst].reverse());
    const page = await get('order=desc&limit=3');
    expect(page.json.next_after_id).toBe(page.json.events[2].id);
  });

  it('pages newest first through one rule across index blocks, and with filters', async () => {
    const ofRule = await allPages(`rule_id=${lineA.rule}&limit=2`);
    expect(await allPages(`rule_id=${lineA.rule}&order=desc&limit=2`)).toEqual([...ofRule].reverse());
    expect(ofRule).toHaveLength(4); // rule_created and three acks
    const acks = await allPages(`type=alarm_ack&order=desc&limit=1`);
    expect((await events(`type=alarm_ack&order=desc`)).map((e) => e.comment)).toEqual(['third', 'second', 'first']);
    expect(acks).toHaveLength(3);
    // A cursor past the newest, or before the oldest, is simply empty or everything.
    expect(ids(await events(`rule_id=${lineA.rule}&order=desc&after_id=${ofRule[0]}`))).toEqual([]);
    expect(ids(await events(`rule_id=${lineA.rule}&order=desc&after_id=99999999`))).toEqual([...ofRule].reverse());
  });

  it('exports CSV in the same order and with the same filters', async () => {
    const res = await t.app.request(`/api/alarms/history?format=csv&order=desc&type=alarm_ack,rule_created&plc_id=${lineA.plc}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    const rows = (await res.text())
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(rows.map((r) => r[3])).toEqual(['alarm_ack', 'alarm_ack', 'alarm_ack', 'rule_created']);
    const shown = await events(`order=desc&type=alarm_ack,rule_created&plc_id=${lineA.plc}`);
    expect(rows.map((r) => Number(r[0]))).toEqual(ids(shown));
  });
});
