import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { fakePoller } from './helpers/fake-poller.js';
import { startTestApp, type Json, type TestApp } from './helpers/test-app.js';

// Trends (SPEC 13) through the public surface: values enter where the poller's do
// (AppOptions.poller), the app's clock is moved past minute ends, the API answers.
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
// Heartbeats that never tick while the clock moves on by days; tokens that outlast it.
const ENV = { HEARTBEAT_MS: '3600000', TOKEN_TTL_S: String(30 * 86_400) };

/** Apps a test started, stopped after it. */
const started: TestApp[] = [];
afterEach(async () => {
  for (const app of started.splice(0)) await app.stop();
});

type Plant = Awaited<ReturnType<typeof plant>>;

/** An app on a fake clock and poller, with a PLC and two datapoints; stopped after the test. */
async function plant(env: Record<string, string> = {}, keep = started, start = T0) {
  const clock = manualClock(start);
  const poller = fakePoller(clock.now);
  const app = await startTestApp({ ...ENV, ...env }, { clock, poller: poller.create });
  keep.push(app);
  const token = await app.login();
  const post = async (path: string, body: unknown) => {
    const res = await app.call('POST', path, { token, body });
    if (res.status !== 201) throw new Error(`${path}: ${JSON.stringify(res.json)}`);
    return res.json;
  };
  const plc = await post('/api/plcs', { name: 'Line 1', host: '127.0.0.1', port: 1502 });
  const a = await post('/api/datapoints', { plc_id: plc.id, label: 'TT1', area: 'holding', address: 0, type: 'float32' });
  const b = await post('/api/datapoints', { plc_id: plc.id, label: 'TT2', area: 'holding', address: 2, type: 'float32' });
  return {
    app,
    token,
    plc,
    a,
    b,
    /** One poll cycle of the PLC: a number is a good value, null a bad one. */
    push: (values: Record<number, number | null>) => poller.poll(plc.id, values),
    /** Moves the clock to `at` and waits for the trend writes that set off. */
    async at(at: number) {
      clock.set(at);
      await app.app.trend.idle();
    },
    trend: (id: number, query = '', as = token) => app.call('GET', `/api/datapoints/${id}/trend${query}`, { token: as }),
  };
}

describe('GET /api/datapoints/{id}/trend', () => {
  it('lists a minute within 30 s of its end: min, max, time-weighted avg and last of the good values', async () => {
    const p = await plant();
    await p.at(T0 + 5_000);
    p.push({ [p.a.id]: 10 });
    await p.at(T0 + 35_000);
    p.push({ [p.a.id]: 20 });
    await p.at(T0 + 59_000);
    expect((await p.trend(p.a.id)).json.buckets).toEqual([]); // the running minute is not listed

    await p.at(T0 + MIN + 30_000);
    const res = await p.trend(p.a.id);
    expect(res.status).toBe(200);
    // Default range: the hour before now. 10 held for 30 s, 20 for 25 s.
    expect(res.json).toEqual({
      datapoint_id: p.a.id,
      from: iso(T0 + 30_000 - 3_600_000 + MIN),
      to: iso(T0 + MIN + 30_000),
      bucket_s: 60,
      buckets: [{ t: iso(T0), min: 10, max: 20, avg: (10 * 30 + 20 * 25) / 55, last: 20 }],
    });
    expect((await p.trend(p.b.id)).json.buckets).toEqual([]);
  });

  it('carries a value that did not change into the minutes after it, and stops at bad quality', async () => {
    const p = await plant();
    p.push({ [p.a.id]: 5 });
    for (let k = 1; k <= 3; k++) await p.at(T0 + k * MIN + 2_500);
    p.push({ [p.a.id]: null }); // 08:03:02.5
    await p.at(T0 + 5 * MIN + 2_500);
    const { buckets } = (await p.trend(p.a.id, `?from=${iso(T0)}&to=${iso(T0 + 10 * MIN)}`)).json;
    expect(buckets).toEqual([
      { t: iso(T0), min: 5, max: 5, avg: 5, last: 5 },
      { t: iso(T0 + MIN), min: 5, max: 5, avg: 5, last: 5 },
      { t: iso(T0 + 2 * MIN), min: 5, max: 5, avg: 5, last: 5 },
      { t: iso(T0 + 3 * MIN), min: 5, max: 5, avg: 5, last: 5 }, // 2.5 s good, then bad
    ]);
  });

  it('packs finished hours without changing the answer, and merges long ranges into wider buckets', async () => {
    const p = await plant();
    // Minute k holds k for its first half and k + 1 for its second.
    p.push({ [p.a.id]: 0 });
    const minutes = 130;
    for (let k = 0; k < minutes; k++) {
      await p.at(T0 + k * MIN + 30_000);
      p.push({ [p.a.id]: k + 1 });
    }
    await p.at(T0 + minutes * MIN + 5_000);
    const perMinute = Array.from({ length: minutes }, (_, k) => ({ t: iso(T0 + k * MIN), min: k, max: k + 1, avg: k + 0.5, last: k + 1 }));

    // 08:00 and 09:00 are packed into one row each (two minutes after each hour's end).
    const db = p.app.app.db;
    expect(await db.selectFrom('trend_hours').select(['hour', 'datapoint_id']).orderBy('hour').execute()).toEqual([
      { hour: T0 / 3_600_000, datapoint_id: p.a.id },
      { hour: T0 / 3_600_000 + 1, datapoint_id: p.a.id },
    ]);
    expect((await db.selectFrom('trend_minutes').select('minute').orderBy('minute').executeTakeFirst())?.minute).toBe(T0 / MIN + 120);

    const day = (await p.trend(p.a.id, `?from=${iso(T0 - 12 * 3_600_000)}&to=${iso(T0 + 12 * 3_600_000)}`)).json;
    expect(day.bucket_s).toBe(60);
    expect(day.buckets).toEqual(perMinute);

    // 30 days: 30-minute buckets, each merged from its minutes.
    const month = (await p.trend(p.a.id, `?from=${iso(T0 + 3 * 3_600_000 - 30 * DAY)}&to=${iso(T0 + 3 * 3_600_000)}`)).json;
    expect(month.bucket_s).toBe(1800);
    expect(month.buckets).toEqual(
      [0, 30, 60, 90, 120].map((first) => {
        const k = Array.from({ length: Math.min(30, minutes - first) }, (_, i) => first + i);
        return {
          t: iso(T0 + first * MIN),
          min: first,
          max: k.at(-1)! + 1,
          avg: k.reduce((s, x) => s + x + 0.5, 0) / k.length,
          last: k.at(-1)! + 1,
        };
      }),
    );
    // A year: at most 2000 buckets.
    const year = (await p.trend(p.a.id, `?from=${iso(T0 - 360 * DAY)}&to=${iso(T0 + 6 * DAY)}`)).json;
    expect(year.bucket_s).toBe(6 * 3600);
    expect(year.buckets).toEqual([{ t: iso(T0 - 2 * 3_600_000), min: 0, max: 130, avg: 65, last: 130 }]);
  });

  it('writes the unfinished minute at shutdown, and merges the rest of it after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trends-'));
    try {
      const env = { DATABASE: join(dir, 'trends.sqlite') };
      const before = await plant(env);
      before.push({ [before.a.id]: 10 });
      await before.at(T0 + 20_000);
      await before.app.stop(); // 10 held for 20 s of 08:00

      const clock = manualClock(T0 + 30_000);
      const poller = fakePoller(clock.now);
      const after = await startTestApp({ ...ENV, ...env }, { clock, poller: poller.create });
      started.push(after);
      poller.poll(before.plc.id, { [before.a.id]: 40 });
      clock.set(T0 + 90_000);
      await after.app.trend.idle();
      const token = await after.login();
      const res = await after.call('GET', `/api/datapoints/${before.a.id}/trend?from=${iso(T0)}&to=${iso(T0 + MIN)}`, { token });
      expect(res.json.buckets).toEqual([{ t: iso(T0), min: 10, max: 40, avg: (10 * 20 + 40 * 30) / 50, last: 40 }]);
    } finally {
      for (const app of started.splice(0)) await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prunes what is older than TREND_DAYS', async () => {
    const p = await plant({ TREND_DAYS: '1' });
    p.push({ [p.a.id]: 7 });
    await p.at(T0 + 30_000);
    p.push({ [p.a.id]: null });
    await p.at(T0 + 3 * 3_600_000);
    const range = `?from=${iso(T0)}&to=${iso(T0 + 2 * 3_600_000)}`;
    expect((await p.trend(p.a.id, range)).json.buckets).toHaveLength(1);

    await p.at(T0 + DAY + 3_600_000); // the hour of 08:00 is now over a day old
    await p.at(T0 + DAY + 3_600_000 + MIN); // (pruning runs on the minute after the clock jumped)
    expect((await p.trend(p.a.id, range)).json.buckets).toEqual([]);
    expect(await p.app.app.db.selectFrom('trend_hours').selectAll().execute()).toEqual([]);
    expect(p.app.log.lines.some((l: string) => l.includes('trend: pruned'))).toBe(true);
  });

  it('answers 404 for an unknown or deleted datapoint, and asks for alarms:read', async () => {
    const p = await plant();
    expect((await p.trend(9999)).json.error.code).toBe('not_found');
    expect((await p.app.call('DELETE', `/api/datapoints/${p.b.id}`, { token: p.token })).status).toBe(204);
    expect((await p.trend(p.b.id)).status).toBe(404);

    const viewer = await p.app.userWithRole('viewer', p.token);
    expect((await p.trend(p.a.id, '', viewer)).status).toBe(200);
    const user = await p.app.userWithRole('user', p.token);
    expect((await p.trend(p.a.id, '', user)).json.error.code).toBe('forbidden');
    expect((await p.app.call('GET', `/api/datapoints/${p.a.id}/trend`)).status).toBe(401);
  });
});

describe('GET /api/datapoints/{id}/trend with bad input', () => {
  const mine: TestApp[] = [];
  let p: Plant;
  beforeAll(async () => {
    p = await plant({}, mine);
  });
  afterAll(async () => {
    for (const app of mine) await app.stop();
  });

  const bad: [string, string, string, string][] = [
    ['an unparsable from', '?from=yesterday', 'from', 'ISO 8601'],
    ['an unparsable to', `?from=${iso(T0)}&to=2026-13-45T99:00:00Z`, 'to', 'ISO 8601'],
    ['from after to', `?from=${iso(T0 + MIN)}&to=${iso(T0)}`, 'from', 'not be after to'],
    ['a range over a year', `?from=${iso(T0 - 367 * DAY)}&to=${iso(T0)}`, 'to', '366 days'],
    ['an unknown parameter', '?span=1h', 'span', ''],
  ];
  it.each(bad)('answers 400 for %s, naming the parameter', async (_name, query, path, message) => {
    const res = await p.trend(p.a.id, query);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
    expect(res.json.error.details.map((d: Json) => d.path)).toEqual([path]);
    expect(res.json.error.details[0].message).toContain(message);
  });

  it('answers 400 for an id that is not one', async () => {
    expect((await p.trend('abc' as unknown as number)).json.error.code).toBe('invalid_request');
  });
});
