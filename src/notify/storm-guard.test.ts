import { describe, expect, it } from 'vitest';
import { createStormGuard, type GuardEvent, type StormGuard } from './storm-guard.js';

const T0 = Date.parse('2026-03-02T08:00:00.000Z'); // a minute boundary
const sec = (s: number) => T0 + s * 1000;

/** An `alarm_state` of rule `rule` at second `s`, entering `state`. */
const ev = (id: number, s: number, rule: number | null = 1, state = 'ALARM', counted = true): GuardEvent => ({
  id,
  ts_ms: sec(s),
  rule_id: rule,
  counted,
  rule_name: rule === null ? undefined : `R${rule}`,
  state,
});

const verdicts = (guard: StormGuard, events: GuardEvent[]) => events.map((e) => guard.offer(e).verdict);

describe('storm guard', () => {
  it('sends the first events of a rule in a minute and holds the rest', () => {
    const guard = createStormGuard(3);
    expect(
      verdicts(
        guard,
        [1, 2, 3, 4, 5].map((id) => ev(id, id)),
      ),
    ).toEqual(['send', 'send', 'send', 'hold', 'hold']);
    expect(guard.holding()).toBe(1);
  });

  it('counts each rule on its own', () => {
    const guard = createStormGuard(1);
    const events = [ev(1, 1, 1), ev(2, 2, 2), ev(3, 3, 1), ev(4, 4, 2), ev(5, 5, 3)];
    expect(verdicts(guard, events)).toEqual(['send', 'send', 'hold', 'hold', 'send']);
  });

  it('ends a minute at the first event of a later one, with one digest per rule in order of its first held id', () => {
    const guard = createStormGuard(1);
    verdicts(guard, [ev(1, 1, 2, 'ALARM'), ev(2, 2, 1, 'ALARM'), ev(3, 3, 1, 'OK'), ev(4, 4, 2, 'OK'), ev(5, 5, 1, 'ALARM')]);
    const step = guard.offer(ev(6, 61, 1, 'OK'));
    expect(step).toEqual({
      verdict: 'send',
      opened: [
        { rule_id: 1, rule_name: 'R1', count: 2, first_id: 3, last_id: 5, state: 'ALARM', minute_end_ms: sec(60) },
        { rule_id: 2, rule_name: 'R2', count: 1, first_id: 4, last_id: 4, state: 'OK', minute_end_ms: sec(60) },
      ],
    });
  });

  it('takes the digest state from the last alarm_state of the minute, even one the notifier does not send', () => {
    const guard = createStormGuard(1);
    verdicts(guard, [ev(1, 1), ev(2, 2), ev(3, 3, 1, 'WARNING', false)]);
    expect(guard.close()).toMatchObject([{ count: 1, first_id: 2, last_id: 2, state: 'WARNING' }]);
  });

  it('uses clock minutes of the event ts, not a sliding window', () => {
    const guard = createStormGuard(2);
    const events = [ev(1, 58), ev(2, 59), ev(3, 59.9), ev(4, 60), ev(5, 61), ev(6, 62)];
    expect(verdicts(guard, events)).toEqual(['send', 'send', 'hold', 'send', 'send', 'hold']);
  });

  it('reports an opened minute (possibly with no digests) and skips what is not counted', () => {
    const guard = createStormGuard(1);
    expect(guard.offer(ev(1, 1, null, 'x', false))).toEqual({ opened: [], verdict: 'skip' });
    expect(guard.offer(ev(2, 2, 1, 'ALARM', false))).toEqual({ opened: null, verdict: 'skip' });
    expect(guard.offer(ev(3, 3, null))).toEqual({ opened: null, verdict: 'send' });
    expect(guard.offer(ev(4, 70, 1))).toEqual({ opened: [], verdict: 'send' });
  });

  it('keeps an event whose ts steps back in the newest minute', () => {
    const guard = createStormGuard(1);
    guard.offer(ev(1, 61));
    expect(guard.offer(ev(2, 30))).toEqual({ opened: null, verdict: 'hold' });
    expect(guard.minuteEnd()).toBe(sec(120));
  });

  it('closes by the clock: minuteEnd, then close() hands the digests and opens nothing', () => {
    const guard = createStormGuard(1);
    verdicts(guard, [ev(1, 10), ev(2, 11), ev(3, 12)]);
    expect(guard.minuteEnd()).toBe(sec(60));
    expect(guard.close()).toMatchObject([{ count: 2, first_id: 2, last_id: 3 }]);
    expect(guard.minuteEnd()).toBeNull();
    expect(guard.holding()).toBe(0);
    expect(guard.close()).toEqual([]);
  });

  it('decides the same when the open minute is replayed into a fresh guard (a restart)', () => {
    const events = [ev(1, 1), ev(2, 61), ev(3, 62), ev(4, 63, 2), ev(5, 64), ev(6, 65), ev(7, 121), ev(8, 122)];
    const steps = (() => {
      const g = createStormGuard(2);
      return events.map((e) => g.offer(e));
    })();
    // Crash after id 5: the minute opened at id 2, so the cursor says replay (1, 5].
    const fresh = createStormGuard(2);
    for (const e of events.slice(1, 5)) fresh.offer(e);
    expect(events.slice(5).map((e) => fresh.offer(e))).toEqual(steps.slice(5));
    expect(steps.slice(5)).toEqual([
      { opened: null, verdict: 'hold' },
      {
        opened: [{ rule_id: 1, rule_name: 'R1', count: 2, first_id: 5, last_id: 6, state: 'ALARM', minute_end_ms: sec(120) }],
        verdict: 'send',
      },
      { opened: null, verdict: 'send' },
    ]);
  });
});
