import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteHandle } from '../src/db/database.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('the event journal', () => {
  it('records every create, update and delete as a config event with increasing ids', async () => {
    t = await startRestApp();
    const token = await t.login();
    const plc = (await t.call('POST', '/api/plcs', { token, body: { name: 'P', host: 'h' } })).json;
    const dp = (
      await t.call('POST', '/api/datapoints', { token, body: { plc_id: plc.id, label: 'L', area: 'input', address: 1, type: 'int16' } })
    ).json;
    const rule = (
      await t.call('POST', '/api/rules', { token, body: { datapoint_id: dp.id, name: 'R', comparison: 'below', alarm_threshold: 0 } })
    ).json;
    await t.call('PATCH', `/api/rules/${rule.id}`, { token, body: { severity: 'high' } });
    await t.call('DELETE', `/api/plcs/${plc.id}?cascade=1`, { token });

    const { json } = await t.call('GET', '/api/alarms/history', { token });
    // The poller journals plc_status events for the PLC too; this test is about config.
    json.events = json.events.filter((e: { topic: string }) => e.topic === 'config');
    const types = json.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'plc_created',
      'datapoint_created',
      'rule_created',
      'rule_updated',
      'rule_deleted',
      'datapoint_deleted',
      'plc_deleted',
    ]);
    const ids = json.events.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(json.events[3]).toMatchObject({ topic: 'config', type: 'rule_updated', rule: { id: rule.id, severity: 'high' } });
    expect(json.events[0].ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(json.next_after_id).toBeNull();
  });

  it('journals nothing for a change that was refused', async () => {
    t = await startRestApp();
    const token = await t.login();
    await t.call('POST', '/api/plcs', { token, body: { name: 'P', host: 'h' } });
    await t.call('POST', '/api/plcs', { token, body: { name: 'P', host: 'h' } }); // 409
    await t.call('POST', '/api/datapoints', { token, body: { plc_id: 9, label: 'L', area: 'input', address: 1, type: 'int16' } }); // 400
    const { json } = await t.call('GET', '/api/alarms/history', { token });
    expect(json.events.filter((e: { topic: string }) => e.topic === 'config').map((e: { type: string }) => e.type)).toEqual([
      'plc_created',
    ]);
  });

  it('pages with after_id and filters by rule', async () => {
    t = await startRestApp();
    const token = await t.login();
    const plc = (await t.call('POST', '/api/plcs', { token, body: { name: 'P', host: 'h' } })).json;
    const dp = (
      await t.call('POST', '/api/datapoints', { token, body: { plc_id: plc.id, label: 'L', area: 'input', address: 1, type: 'int16' } })
    ).json;
    const rule = (
      await t.call('POST', '/api/rules', { token, body: { datapoint_id: dp.id, name: 'R', comparison: 'below', alarm_threshold: 0 } })
    ).json;
    for (let i = 0; i < 4; i++) await t.call('PATCH', `/api/rules/${rule.id}`, { token, body: { deadband: i } });

    const seen: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { json: { events: { id: number }[]; next_after_id: number | null } } = await t.call(
        'GET',
        `/api/alarms/history?limit=3&after_id=${after}`,
        { token },
      );
      expect(page.json.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.json.events.map((e) => e.id));
      after = page.json.next_after_id;
    }
    const all = (await t.call('GET', '/api/alarms/history?limit=1000', { token })).json.events.map((e: { id: number }) => e.id);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(7);

    const byRule = await t.call('GET', `/api/alarms/history?rule_id=${rule.id}`, { token });
    const ruleEvents = byRule.json.events as { topic: string; type: string; rule_id?: number; rule?: { id: number } }[];
    // The PLC is unreachable, so the rule also goes UNKNOWN: alarm events of the same rule.
    expect(ruleEvents.filter((e) => e.topic === 'config').map((e) => e.type)).toEqual(['rule_created', ...Array(4).fill('rule_updated')]);
    expect(ruleEvents.every((e) => (e.rule_id ?? e.rule?.id) === rule.id)).toBe(true);
    expect((await t.call('GET', '/api/alarms/history?limit=1001', { token })).status).toBe(400);
    expect((await t.call('GET', '/api/alarms/history?from=yesterday', { token })).status).toBe(400);
  });

  it('finds the events of one rule anywhere in a long journal, page by page', async () => {
    t = await startRestApp();
    const token = await t.login();
    // 16,000 events of other rules with rule 7's spread among them: the rule index is kept
    // in blocks of 4096 ids, so its history must walk several blocks and skip empty ones
    // (ids 8192-12287 hold none of rule 7).
    const mine = [5, 4200, 15_999];
    const events = Array.from({ length: 16_000 }, (_, i) => {
      const rule_id = mine.includes(i) ? 7 : 100 + (i % 50);
      return { topic: 'alarms' as const, type: 'alarm_ack', rule_id, payload: { rule_id, n: i } };
    });
    await t.app.journal.append(events);

    const seen: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { json: { events: { rule_id: number; n: number }[]; next_after_id: number | null } } = await t.call(
        'GET',
        `/api/alarms/history?rule_id=7&limit=2&after_id=${after}`,
        { token },
      );
      expect(page.json.events.every((e) => e.rule_id === 7)).toBe(true);
      seen.push(...page.json.events.map((e) => e.n));
      after = page.json.next_after_id;
    }
    expect(seen).toEqual(mine);
    expect((await t.call('GET', '/api/alarms/history?rule_id=8', { token })).json).toEqual({ events: [], next_after_id: null });

    // Ids past 2^31 (a long-lived plant): blocks are counted without 32-bit shifts.
    const big = 2 ** 31 + 5;
    sqliteHandle(t.app.db)
      .prepare(`insert into events (id, topic, type, rule_id, payload, ts) values (?, 'alarms', 'alarm_ack', 7, '{"n":-1}', ?)`)
      .run(big, new Date().toISOString());
    const far = (await t.call('GET', `/api/alarms/history?rule_id=7&after_id=${2 ** 31 - 1}`, { token })).json;
    expect(far.events.map((e: { id: number }) => e.id)).toEqual([big]);
    expect((await t.call('GET', `/api/alarms/history?rule_id=7&after_id=${big}`, { token })).json.events).toEqual([]);
  });

  it('keeps events and ids across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alarms-'));
    try {
      const env = { DATABASE: join(dir, 'alarms.sqlite') };
      t = await startRestApp(env);
      let token = await t.login();
      await t.call('POST', '/api/plcs', { token, body: { name: 'P', host: 'h' } });
      await t.stop();

      t = await startRestApp(env);
      token = await t.login();
      await t.call('POST', '/api/plcs', { token, body: { name: 'Q', host: 'h' } });
      const { json } = await t.call('GET', '/api/alarms/history', { token });
      const config = json.events.filter((e: { topic: string }) => e.topic === 'config');
      expect(config.map((e: { plc: { name: string } }) => e.plc.name)).toEqual(['P', 'Q']);
      const ids = json.events.map((e: { id: number }) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(config[1].id).toBeGreaterThan(config[0].id);
    } finally {
      await t?.stop();
      t = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
