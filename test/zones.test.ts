import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as canonicalZones from '../db/migrations/2026-12-05T0007-canonical-zones.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { startRestApp, testRuntime, type TestApp } from './helpers/test-app.js';

// SPEC 10: time-zone names are stored and returned in their canonical spelling.
describe('time zones over HTTP', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startRestApp();
    token = await t.login();
  });
  afterAll(() => t.stop());

  const windows = [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' }];

  it('a rule schedule in any case comes back canonical, on create and on patch', async () => {
    const plc = (await t.call('POST', '/api/plcs', { token, body: { name: 'Line 1', host: '10.0.0.5' } })).json;
    const dp = (
      await t.call('POST', '/api/datapoints', { token, body: { plc_id: plc.id, label: 'TT1', area: 'holding', address: 1, type: 'int16' } })
    ).json;
    const body = {
      datapoint_id: dp.id,
      name: 'Day',
      comparison: 'above',
      alarm_threshold: 5,
      schedule: { timezone: 'europe/berlin', windows },
    };
    const created = await t.call('POST', '/api/rules', { token, body });
    expect(created.status).toBe(201);
    expect(created.json.schedule).toEqual({ timezone: 'Europe/Berlin', windows });

    const patched = await t.call('PATCH', `/api/rules/${created.json.id}`, {
      token,
      body: { schedule: { timezone: 'AMERICA/NEW_YORK', windows } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.schedule.timezone).toBe('America/New_York');
    expect((await t.call('GET', `/api/rules/${created.json.id}`, { token })).json.schedule.timezone).toBe('America/New_York');
  });

  it('an item alarm in any case comes back canonical', async () => {
    const id = randomUUID();
    const alarm = { time: '07:00', days: [1, 2, 3], timezone: 'europe/berlin' };
    const put = await t.call('PUT', `/api/items/${id}`, { token, body: { kind: 'alarm', label: 'Wake', alarm } });
    expect(put.status).toBe(201);
    expect(put.json.alarm).toEqual({ ...alarm, timezone: 'Europe/Berlin' });
    expect((await t.call('GET', `/api/items/${id}`, { token })).json.alarm.timezone).toBe('Europe/Berlin');
  });

  it('an unknown zone is still a 400 on its path', async () => {
    const res = await t.call('PUT', `/api/items/${randomUUID()}`, {
      token,
      body: { kind: 'alarm', label: 'Wake', alarm: { time: '07:00', days: [1], timezone: 'europe/nowhere' } },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toContainEqual(expect.objectContaining({ path: 'alarm.timezone' }));
  });
});

describe('migration 2026-12-05T0007-canonical-zones', () => {
  it('rewrites zones stored in rule schedules and item alarms, and leaves the rest alone', async () => {
    const db = openDatabase(':memory:', (await testRuntime()).openSqlite);
    try {
      await migrateToLatest(db);
      const now = new Date().toISOString();
      const stamps = { created_at: now, updated_at: now };
      const plc = { name: 'P', host: 'h', port: 502, unit_id: 1, poll_interval_ms: 1000, timeout_ms: 1000, max_in_flight: 1, enabled: 1 };
      await db
        .insertInto('plcs')
        .values({ ...plc, ...stamps })
        .execute();
      const dp = {
        plc_id: 1,
        label: 'L',
        description: '',
        area: 'holding',
        address: 0,
        type: 'int16',
        word_order: 'big',
        scale: 1,
        offset: 0,
        unit: '',
      };
      await db
        .insertInto('datapoints')
        .values({ ...dp, ...stamps })
        .execute();
      const rule = {
        datapoint_id: 1,
        name: 'R',
        severity: 'low',
        comparison: 'above',
        warning_threshold: null,
        alarm_threshold: 1,
        deadband: 0,
        on_delay_ms: 0,
        off_delay_ms: 0,
        enabled: 1,
        ...stamps,
      };
      const schedule = (timezone: string) => JSON.stringify({ timezone, windows: [{ days: [1], start: '08:00', end: '17:00' }] });
      await db
        .insertInto('rules')
        .values([
          { ...rule, schedule: schedule('eUrOpE/bErLiN') },
          { ...rule, schedule: schedule('Mars/Olympus') },
          { ...rule, schedule: null },
        ])
        .execute();
      const item = { owner_id: 1, kind: 'alarm', label: 'A', enabled: 1, timer: null, version: 3, updated_at: now, deleted: 0 };
      const alarm = (timezone: string) => JSON.stringify({ time: '07:00', days: [1], timezone });
      await db
        .insertInto('items')
        .values([
          { ...item, id: 'a', seq: 1, alarm: alarm('utc') },
          { ...item, id: 'b', seq: 2, alarm: alarm('Europe/Berlin') },
          { ...item, id: 'c', seq: 3, kind: 'timer', alarm: null, timer: '{"duration_s":5,"started_at":null}' },
        ])
        .execute();

      await canonicalZones.up(db);

      const rules = await db.selectFrom('rules').select('schedule').orderBy('id').execute();
      expect(rules.map((r) => r.schedule)).toEqual([schedule('Europe/Berlin'), schedule('Mars/Olympus'), null]);
      const items = await db.selectFrom('items').select(['alarm', 'timer', 'version']).orderBy('id').execute();
      expect(items).toEqual([
        { alarm: alarm('UTC'), timer: null, version: 3 },
        { alarm: alarm('Europe/Berlin'), timer: null, version: 3 },
        { alarm: null, timer: '{"duration_s":5,"started_at":null}', version: 3 },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
