import { describe, expect, it } from 'vitest';
import { harness, record, rule, T0 } from './test-harness.js';
import type { Schedule } from './types.js';

describe('rule changes', () => {
  it('a new rule is evaluated at once against the last value', () => {
    const h = harness([]);
    h.send(1, 85);
    h.engine.upsertRule(rule({ id: 7 }));
    expect(h.moves()).toEqual(['7:OK>ALARM:rule_changed']);
  });

  it('an edit re-evaluates at once and carries the new rule', () => {
    const h = harness();
    h.send(1, 85);
    h.engine.upsertRule(rule({ alarm_threshold: 90, name: 'edited' }));
    expect(h.batches.at(-1)).toMatchObject([{ from: 'ALARM', to: 'WARNING', reason: 'rule_changed', rule: { name: 'edited' } }]);
  });

  it('an edit that changes nothing emits nothing', () => {
    const h = harness();
    h.send(1, 85);
    h.moves();
    h.engine.upsertRule(rule({ name: 'renamed' }));
    expect(h.moves()).toEqual([]);
    expect(h.engine.get(1)?.rule.name).toBe('renamed');
  });

  it('a condition that has held by sample time completes its on-delay at once', () => {
    const h = harness([]);
    h.send(1, 85);
    h.clock.advance(60_000);
    h.engine.upsertRule(rule({ on_delay_ms: 10_000 }));
    expect(h.moves()).toEqual(['1:OK>ALARM:rule_changed']);
  });

  it('disable -> OK with reason disabled; samples are ignored; enable re-evaluates', () => {
    const h = harness();
    h.send(1, 85);
    h.engine.upsertRule(rule({ enabled: false }));
    h.send(1, 95);
    h.send(1, null, 'bad');
    h.send(1, 90);
    h.engine.upsertRule(rule({ enabled: true }));
    expect(h.moves()).toEqual(['1:OK>ALARM:value', '1:ALARM>OK:disabled', '1:OK>ALARM:rule_changed']);
  });

  it('removal -> OK with reason deleted, once; unknown rules report false', () => {
    const h = harness([rule({ id: 1 }), rule({ id: 2, warning_threshold: null, alarm_threshold: 100 })]);
    h.send(1, 85);
    expect(h.engine.removeRule(1)).toBe(true);
    expect(h.engine.removeRule(2)).toBe(true);
    expect(h.engine.removeRule(1)).toBe(false);
    expect(h.moves()).toEqual(['1:OK>ALARM:value', '1:ALARM>OK:deleted']);
    expect(h.engine.get(1)).toBeUndefined();
  });

  it('moving a rule to another datapoint evaluates it there', () => {
    const h = harness();
    h.send(1, 85);
    h.send(2, 10);
    h.engine.upsertRule(rule({ datapoint_id: 2 }));
    h.send(1, 99);
    expect(h.moves()).toEqual(['1:OK>ALARM:value', '1:ALARM>OK:rule_changed']);
  });
});

describe('schedules in the engine', () => {
  // Monday 08:00-17:00 UTC; T0 is Monday 00:00 UTC
  const office: Schedule = { timezone: 'UTC', windows: [{ days: [1], start: '08:00', end: '17:00' }] };

  it('outside the window the rule is OK; edges re-evaluate via the clock', () => {
    const h = harness([rule({ schedule: office })]);
    h.send(1, 85);
    expect(h.moves()).toEqual([]);
    h.clock.set(T0 + 8 * 3_600_000);
    expect(h.batches[0]).toMatchObject([{ from: 'OK', to: 'ALARM', reason: 'schedule', ts: T0 + 8 * 3_600_000 }]);
    h.moves();
    h.clock.set(T0 + 17 * 3_600_000);
    expect(h.moves()).toEqual(['1:ALARM>OK:schedule']);
  });

  it('rules that share an edge fire together: one batch, one clock timer', () => {
    const rules = Array.from({ length: 500 }, (_, i) => rule({ id: i + 1, datapoint_id: i + 1, schedule: office }));
    const h = harness(rules);
    for (let i = 1; i <= 500; i++) h.send(i, 85);
    expect(h.clock.pending()).toBe(1);
    h.clock.set(T0 + 8 * 3_600_000);
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0]).toHaveLength(500);
    h.engine.removeRule(7); // leaving a shared instant keeps the others due
    h.moves();
    h.clock.set(T0 + 17 * 3_600_000);
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0]!.map((t) => t.rule_id)).not.toContain(7);
    expect(h.batches[0]).toHaveLength(499);
  });

  it('a restored alarm outside its window ends at load', () => {
    const h = harness([rule({ schedule: office })], [record({ rule_id: 1, state: 'ALARM', acked: true, since: T0 - 1, value: 85 })]);
    expect(h.moves()).toEqual(['1:ALARM>OK:schedule']);
  });

  it('bad quality outside the window stays OK', () => {
    const h = harness([rule({ schedule: office })]);
    h.send(1, null, 'bad');
    expect(h.moves()).toEqual([]);
    h.clock.set(T0 + 9 * 3_600_000);
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:quality']);
  });

  it('edges follow the wall clock across a DST change (Europe/Berlin)', () => {
    const daily: Schedule = { timezone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '09:00' }] };
    const h = harness([rule({ schedule: daily })], undefined, Date.parse('2025-03-29T12:00:00Z'));
    h.send(1, 85);
    h.clock.set(Date.parse('2025-03-30T12:00:00Z'));
    expect(h.batches.flat().map((t) => [t.to, new Date(t.ts).toISOString()])).toEqual([
      ['ALARM', '2025-03-30T06:00:00.000Z'], // 08:00 CEST
      ['OK', '2025-03-30T07:00:00.000Z'],
    ]);
  });
});
