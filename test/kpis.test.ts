import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Poller } from '../src/modbus/poller.js';
import type { ValueSample } from '../src/kernel/samples.js';
import { manualClock } from '../src/kernel/manual-clock.js';
import { startRestApp, type Json, type TestApp } from './helpers/test-app.js';

// SPEC 13's KPIs through the API, over an hour of alarms whose figures are known: values come
// from a stand-in for the Modbus poller and time from a manual clock, so every annunciation and
// ack lands at a chosen instant, and nothing here waits real time.
const START = Date.parse('2026-03-02T08:00:00.000Z');
const clock = manualClock(START);
let onValues: (plcId: number, samples: ValueSample[]) => void = () => {};
const fakePoller = (options: { onValues(plcId: number, samples: ValueSample[]): void }): Poller => {
  onValues = options.onValues;
  return { start: async () => {}, configure: () => {}, stop: async () => {}, stats: () => ({ plcs: [], worker: null, restarts: 0 }) };
};

let t: TestApp;
let admin: string;
let operator: string;
let plc: Json;
const rules: Record<string, Json> = {};
const points: Record<string, Json> = {};

const HIGH = 60;
const LOW = 10;
const at = (clockTime: string) => Date.parse(`2026-03-02T${clockTime}Z`);

async function post(path: string, body: unknown, token = admin) {
  const res = await t.call('POST', path, { token, body });
  if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** At `time` (HH:MM:SS, that day), one poll with these rules' datapoints at these values. */
function poll(time: string, values: Record<string, number>) {
  clock.set(at(time));
  const samples = Object.entries(values).map(([rule, value]) => ({
    datapoint_id: points[rule].id,
    value,
    quality: 'good' as const,
    ts: clock.now(),
    error: null,
  }));
  onValues(plc.id, samples);
}

async function ack(time: string, rule: string) {
  clock.set(at(time));
  await post(`/api/alarms/${rules[rule].id}/ack`, {}, operator);
}

const kpis = async (query = '', token = operator) => {
  await t.app.journal.idle();
  return t.call('GET', `/api/alarms/kpis${query}`, { token });
};

beforeAll(async () => {
  t = await startRestApp({ TOKEN_TTL_S: String(7 * 86_400) }, { clock, poller: fakePoller as never });
  admin = await t.login();
  operator = await t.userWithRole('operator', admin);
  plc = await post('/api/plcs', { name: 'Line 1', host: '127.0.0.1' });
  // Created in this order, so rule ids ascend: A, B, C1-C4, D, S.
  const severities: Record<string, string> = {
    A: 'high',
    B: 'low',
    C1: 'medium',
    C2: 'medium',
    C3: 'medium',
    C4: 'medium',
    D: 'critical',
    S: 'low',
  };
  for (const [name, severity] of Object.entries(severities)) {
    points[name] = await post('/api/datapoints', {
      plc_id: plc.id,
      label: `P_${name}`,
      area: 'holding',
      address: Object.keys(points).length,
      type: 'uint16',
    });
    rules[name] = await post('/api/rules', {
      datapoint_id: points[name].id,
      name: `Rule ${name}`,
      severity,
      comparison: 'above',
      alarm_threshold: 50,
    });
  }

  await post(`/api/alarms/${rules['S'].id}/shelve`, { duration_ms: 3_600_000 }, operator); // until 09:00
  poll('08:00:05', { D: HIGH }); // annunciated, and left standing
  poll('08:00:10', { A: HIGH });
  poll('08:00:30', { S: HIGH }); // shelved: not an annunciation
  // B chatters: three annunciations within 40 s.
  for (const [time, value] of [
    ['08:01:00', HIGH],
    ['08:01:10', LOW],
    ['08:01:20', HIGH],
    ['08:01:30', LOW],
    ['08:01:40', HIGH],
    ['08:01:50', LOW],
  ] as const) {
    poll(time, { B: value });
  }
  await ack('08:02:10', 'A'); // 120 s after A's annunciation
  poll('08:03:00', { A: LOW });
  poll('08:05:00', { S: LOW });
  // A flood: C1-C4 annunciate together at 08:10, 08:13 and 08:16, 12 annunciations in one window.
  const cs = (value: number) => ({ C1: value, C2: value, C3: value, C4: value });
  for (const minute of [10, 13, 16]) {
    poll(`08:${minute}:00`, cs(HIGH));
    if (minute < 16) poll(`08:${minute + 1}:30`, cs(LOW));
  }
  await ack('08:17:00', 'C1'); // answers its three annunciations, 420, 240 and 60 s after them
  poll('08:17:30', cs(LOW));
  clock.set(at('08:30:00'));
});
afterAll(() => t.stop());

describe('GET /api/alarms/kpis', () => {
  it('answers the hour with the figures SPEC 13 defines', async () => {
    const res = await kpis('?from=2026-03-02T08:00:00Z&to=2026-03-02T09:00:00Z');
    expect(res.status).toBe(200);
    const named = (rule: string, count: number) => ({ rule_id: rules[rule].id, rule_name: `Rule ${rule}`, count });
    expect(res.json).toEqual({
      from: '2026-03-02T08:00:00.000Z',
      to: '2026-03-02T09:00:00.000Z',
      annunciated: 17,
      per_hour: 17,
      peak_10min: 12,
      flood_percent: 16.67, // one window of six
      by_severity: { low: 3, medium: 12, high: 1, critical: 1 },
      top: [named('B', 3), named('C1', 3), named('C2', 3), named('C3', 3), named('C4', 3), named('A', 1), named('D', 1)],
      chattering: [named('B', 3)],
      stale: [],
      ack_time_s: { p50: 120, p90: 420 },
      shelved: 1,
      out_of_service: 0,
      suppressed: 0,
    });
    // In the SPEC's order, so a reader of the raw JSON finds it as documented.
    expect(Object.keys(res.json)).toEqual([
      'from',
      'to',
      'annunciated',
      'per_hour',
      'peak_10min',
      'flood_percent',
      'by_severity',
      'top',
      'chattering',
      'stale',
      'ack_time_s',
      'shelved',
      'out_of_service',
      'suppressed',
    ]);
  });

  it('serves the per-window series behind the flood figures', async () => {
    const res = await t.call('GET', '/api/alarms/kpis/windows?from=2026-03-02T08:00:00Z&to=2026-03-02T09:00:00Z', { token: operator });
    expect(res.status).toBe(200);
    expect(res.json.windows.map((w: Json) => [w.t.slice(11, 16), w.annunciated])).toEqual([
      ['08:00', 5],
      ['08:10', 12],
      ['08:20', 0],
      ['08:30', 0],
      ['08:40', 0],
      ['08:50', 0],
    ]);
  });

  it('covers the last 24 h by default, and counts only what falls in a shorter period', async () => {
    const last = await kpis();
    expect(last.status).toBe(200);
    expect(last.json).toMatchObject({ from: '2026-03-01T08:30:00.000Z', to: '2026-03-02T08:30:00.000Z', annunciated: 17 });
    // From 08:05: A, B and D annunciated before it; C1's three waits still end in it.
    const part = await kpis('?from=2026-03-02T08:05:00Z&to=2026-03-02T08:15:00Z');
    expect(part.json).toMatchObject({
      annunciated: 8,
      peak_10min: 8,
      flood_percent: 0,
      chattering: [],
      ack_time_s: { p50: null, p90: null },
    });
  });

  it('lists alarms active for over 24 h as stale', async () => {
    // The next morning: all acked but D, which has stood in ALARM since 08:00:05.
    for (const rule of ['B', 'C2', 'C3', 'C4', 'S']) await ack('09:30:00', rule);
    clock.set(Date.parse('2026-03-03T08:00:06.000Z'));
    const res = await kpis();
    expect(res.json.stale).toEqual([{ rule_id: rules['D'].id, rule_name: 'Rule D', since: '2026-03-02T08:00:05.000Z' }]);
    expect(res.json.shelved).toBe(0);
  });

  it.each([
    ['from after to', '?from=2026-03-02T09:00:00Z&to=2026-03-02T08:00:00Z', 'to'],
    ['an empty period', '?from=2026-03-02T09:00:00Z&to=2026-03-02T09:00:00Z', 'to'],
    ['over a year', '?from=2025-01-01T00:00:00Z&to=2026-03-02T00:00:00Z', 'from'],
    ['a time that is not ISO 8601', '?from=yesterday', 'from'],
    ['an impossible date', '?to=2026-02-30T00:00:00Z', 'to'],
    ['an unknown parameter', '?since=2026-03-02T08:00:00Z', 'since'],
  ])('refuses %s with 400 and the field at fault', async (_, query, path) => {
    for (const route of ['/api/alarms/kpis', '/api/alarms/kpis/windows']) {
      const res = await t.call('GET', `${route}${query}`, { token: operator });
      expect(res.status, route).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
      expect(res.json.error.details.map((d: Json) => d.path)).toContain(path);
    }
  });

  it('needs alarms:read: a viewer reads them, a plain user is forbidden, no token is unauthenticated', async () => {
    const viewer = await t.userWithRole('viewer', admin);
    const user = await t.userWithRole('user', admin);
    for (const route of ['/api/alarms/kpis', '/api/alarms/kpis/windows']) {
      expect((await t.call('GET', route, { token: viewer })).status).toBe(200);
      const forbidden = await t.call('GET', route, { token: user });
      expect(forbidden.status).toBe(403);
      expect(forbidden.json.error.code).toBe('forbidden');
      expect((await t.call('GET', route)).status).toBe(401);
    }
  });
});
