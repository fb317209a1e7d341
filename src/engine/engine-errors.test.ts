import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, rule, T0 } from './test-harness.js';
import type { Schedule } from './types.js';

const HOUR = 3_600_000;
const allWeek = (timezone: string, start = '00:00', end = '24:00'): Schedule => ({
  timezone,
  windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start, end }],
});
/** A threshold of the wrong type (a BigInt, as a driver in safe-integer mode returns): evaluation throws a TypeError. */
const broken = (id = 1) => rule({ id, alarm_threshold: 80n as unknown as number });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a rule whose evaluation throws', () => {
  it('on ingest goes UNKNOWN with reason error, reported once; the rules beside it still transition', () => {
    const h = harness([broken(1), rule({ id: 2 })]);
    expect(() => h.send(1, 85)).not.toThrow();
    expect(h.batches.at(-1)).toMatchObject([{ rule_id: 1, to: 'UNKNOWN', reason: 'error', value: null, acked: false }, { rule_id: 2 }]);
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:error', '2:OK>ALARM:value']);
    expect(h.errors).toEqual([[1, expect.any(TypeError)]]);

    h.send(1, 60); // tried again on a new value: still throws, nothing new to tell
    expect(h.moves()).toEqual(['2:ALARM>WARNING:value']);
    expect(h.errors).toHaveLength(1);
    expect(h.engine.active().map((a) => [a.rule_id, a.state])).toEqual([
      [1, 'UNKNOWN'],
      [2, 'WARNING'],
    ]);
  });

  it('recovers for the reason that made it evaluate, and is reported again only after a clean evaluation', () => {
    const h = harness([broken(1)]);
    h.send(1, 85);
    h.engine.upsertRule(rule({ id: 1 }));
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:error', '1:UNKNOWN>ALARM:rule_changed']);
    h.engine.upsertRule(broken(1));
    h.send(1, 90);
    expect(h.moves()).toEqual(['1:ALARM>UNKNOWN:error']);
    expect(h.errors.map(([id]) => id)).toEqual([1, 1]);
  });

  it('on a timer goes UNKNOWN, and the rules due at the same instant still transition in the same batch', () => {
    // Rule 1 opens at 10:00 in Tokyo (T0 + 1 h); rule 2's on-delay ends at the same instant.
    const h = harness([
      rule({ id: 1, schedule: allWeek('Asia/Tokyo', '10:00', '18:00') }),
      rule({ id: 2, datapoint_id: 2, on_delay_ms: HOUR }),
    ]);
    h.send(1, 85);
    h.send(2, 85);
    expect(h.moves()).toEqual([]);
    // The zone becomes unusable (as when the runtime's ICU data no longer knows it): Intl throws.
    const formatToParts = Intl.DateTimeFormat.prototype.formatToParts;
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts').mockImplementation(function (this: Intl.DateTimeFormat, date) {
      if (this.resolvedOptions().timeZone === 'Asia/Tokyo') throw new RangeError('Invalid time zone specified: Asia/Tokyo');
      return formatToParts.call(this, date);
    });
    expect(() => h.clock.advance(HOUR)).not.toThrow();
    expect(h.batches).toHaveLength(1);
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:error', '2:OK>ALARM:value']);
    expect(h.errors).toEqual([[1, expect.any(RangeError)]]);
    expect(h.engine.stats().timers).toBe(0); // no edge to wait for while it cannot be computed

    spy.mockRestore();
    h.send(1, 90); // the next value tries it again
    h.clock.set(T0 + 9 * HOUR); // 18:00 in Tokyo: the schedule's edge is back
    expect(h.moves()).toEqual(['1:UNKNOWN>ALARM:value', '1:ALARM>OK:schedule']);
  });

  it('at load (a zone this runtime does not know) goes UNKNOWN; the others load and run', () => {
    const h = harness([rule({ id: 1, schedule: allWeek('Mars/Olympus_Mons') }), rule({ id: 2 })]);
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:error']);
    expect(h.errors).toEqual([[1, expect.any(RangeError)]]);
    h.send(1, 85);
    expect(h.moves()).toEqual(['2:OK>ALARM:value']);
    h.engine.upsertRule(rule({ id: 1, schedule: allWeek('Europe/Berlin') }));
    expect(h.moves()).toEqual(['1:UNKNOWN>ALARM:rule_changed']);
  });

  it('on an edit goes UNKNOWN instead of throwing; fixed before any value, it is OK (still to be acked)', () => {
    const h = harness([rule({ id: 1, schedule: allWeek('UTC') })]);
    expect(() => h.engine.upsertRule(rule({ id: 1, schedule: allWeek('Mars/Olympus_Mons') }))).not.toThrow();
    h.engine.upsertRule(rule({ id: 1, schedule: allWeek('UTC') }));
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:error', '1:UNKNOWN>OK:rule_changed']);
    expect(h.engine.get(1)).toMatchObject({ state: 'OK', acked: false });
  });

  it('keeps its shelve timer: a shelve still ends on time', () => {
    const h = harness([broken(1)]);
    h.send(1, 85);
    h.engine.shelve(1, T0 + 60_000);
    h.clock.advance(60_000);
    expect(h.commands).toMatchObject([{ kind: 'unshelved', rule_id: 1, reason: 'expired' }]);
  });
});
