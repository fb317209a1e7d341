import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from './alarm-state.js';
import { createEngine } from './engine.js';
import { manualClock } from '../kernel/manual-clock.js';
import { harness, record, rule, T0 } from './test-harness.js';
import type { CommandEvent } from './types.js';

const ids = (h: ReturnType<typeof harness>, includeShelved = false) => h.engine.active(includeShelved).map((a) => a.rule_id);

describe('acknowledgement', () => {
  it('ack before return to normal: listed while abnormal, gone once OK', () => {
    const h = harness();
    h.send(1, 85);
    expect(h.engine.ack(1, T0 + 1)).toEqual({ kind: 'ack', rule_id: 1, ts: T0 + 1 });
    expect(ids(h)).toEqual([1]);
    h.send(1, 10);
    expect(h.batches.at(-1)).toMatchObject([{ to: 'OK', acked: true }]);
    expect(ids(h)).toEqual([]);
  });

  it('ack after return to normal: an unacked OK stays listed until acked', () => {
    const h = harness();
    h.send(1, 85);
    h.send(1, 10);
    expect(h.engine.get(1)).toMatchObject({ state: 'OK', acked: false });
    expect(ids(h)).toEqual([1]);
    h.engine.ack(1, T0);
    expect(ids(h)).toEqual([]);
  });

  it('entering WARNING, ALARM or UNKNOWN needs a new ack', () => {
    const h = harness();
    h.send(1, 85);
    h.engine.ack(1, T0);
    h.send(1, 60);
    expect(h.engine.get(1)).toMatchObject({ state: 'WARNING', acked: false });
  });

  it('nothing to ack, and unknown rules', () => {
    const h = harness();
    expect(h.engine.ack(1, T0)).toEqual({ kind: 'nothing_to_ack', rule_id: 1 });
    expect(h.engine.ack(9, T0)).toEqual({ kind: 'not_found', rule_id: 9 });
    expect(h.engine.shelve(9, T0)).toEqual({ kind: 'not_found', rule_id: 9 });
    expect(h.engine.unshelve(9)).toEqual({ kind: 'not_found', rule_id: 9 });
  });
});

describe('shelving', () => {
  it('keeps evaluating, marks events shelved, hides from the active list', () => {
    const h = harness();
    expect(h.engine.shelve(1, T0 + 60_000)).toEqual({ kind: 'shelved', rule_id: 1, until: T0 + 60_000 });
    h.send(1, 85);
    expect(h.batches[0]).toMatchObject([{ to: 'ALARM', shelved: true }]);
    expect(ids(h)).toEqual([]);
    expect(ids(h, true)).toEqual([1]);
  });

  it('ends by itself via the clock', () => {
    const h = harness();
    h.engine.shelve(1, T0 + 60_000);
    h.send(1, 85);
    h.clock.advance(59_999);
    expect(h.commands).toEqual([]);
    h.clock.advance(1);
    expect(h.commands).toEqual([{ kind: 'unshelved', rule_id: 1, reason: 'expired' }]);
    expect(ids(h)).toEqual([1]);
    expect(h.clock.pending()).toBe(0);
  });

  it('can be ended by hand, which cancels the expiry', () => {
    const h = harness();
    h.engine.shelve(1, T0 + 60_000);
    expect(h.engine.unshelve(1)).toEqual({ kind: 'unshelved', rule_id: 1, reason: 'manual' });
    expect(h.engine.unshelve(1)).toEqual({ kind: 'not_shelved', rule_id: 1 });
    h.clock.advance(120_000);
    expect(h.commands).toEqual([]);
  });
});

describe('restore at start-up', () => {
  const standing: AlarmRecord = record({ rule_id: 1, state: 'ALARM', acked: false, since: T0 - 5_000, value: 90 });

  it('does not re-announce a standing alarm', () => {
    const h = harness([rule()], [standing]);
    h.send(1, 91);
    expect(h.moves()).toEqual([]);
    expect(h.engine.active()).toMatchObject([{ rule_id: 1, state: 'ALARM', acked: false, since: T0 - 5_000, value: 90 }]);
  });

  it('does not lose an unacked alarm that cleared while down', () => {
    const h = harness([rule()], [standing]);
    h.send(1, 10);
    expect(h.moves()).toEqual(['1:ALARM>OK:value']);
    expect(h.engine.active()).toMatchObject([{ rule_id: 1, state: 'OK', acked: false }]);
  });

  it('ends shelves that expired while down, at once; keeps the others', () => {
    const h = harness(
      [rule({ id: 1 }), rule({ id: 2 })],
      [
        { ...standing, shelved_until: T0 - 1 },
        { ...standing, rule_id: 2, shelved_until: T0 + 1_000 },
      ],
    );
    expect(h.commands).toEqual([{ kind: 'unshelved', rule_id: 1, reason: 'expired' }]);
    h.clock.advance(1_000);
    expect(h.commands).toHaveLength(2);
    expect(h.moves()).toEqual([]);
  });

  it('a restored alarm of a disabled rule ends at load; unknown records are ignored', () => {
    const h = harness([rule({ enabled: false })], [standing, { ...standing, rule_id: 5 }]);
    expect(h.moves()).toEqual(['1:ALARM>OK:disabled']);
    expect(h.engine.get(5)).toBeUndefined();
  });
});

describe('look-ups', () => {
  it('counts evaluations, rules, datapoints', () => {
    const h = harness([rule({ id: 1 }), rule({ id: 2 })]);
    h.send(1, 60);
    h.send(1, 61);
    h.send(3, 1);
    expect(h.engine.stats()).toEqual({ evaluations: 4, rules: 2, datapoints: 2, timers: 0 });
  });
});

describe('rules due at the same instant', () => {
  it('a listener that throws on one rule costs only that rule: reported, the others still fire and re-arm', () => {
    const clock = manualClock(T0);
    const commands: CommandEvent[] = [];
    const errors: [number, unknown][] = [];
    const engine = createEngine({
      clock,
      onTransitions: () => undefined,
      onCommand: (c) => {
        if (c.rule_id === 1) throw new Error('journal down');
        commands.push(c);
      },
      onRuleError: (ruleId, err) => errors.push([ruleId, err]),
    });
    engine.load([rule({ id: 1, datapoint_id: 1 }), rule({ id: 2, datapoint_id: 2 })]);
    engine.shelve(1, T0 + 60_000);
    engine.shelve(2, T0 + 60_000);
    expect(() => clock.set(T0 + 60_000)).not.toThrow();
    expect(errors).toEqual([[1, new Error('journal down')]]);
    expect(commands).toMatchObject([{ kind: 'unshelved', rule_id: 2, reason: 'expired' }]);
    expect(engine.get(1)).toMatchObject({ shelved_until: null, state: 'OK' }); // the listener's fault, not the rule's
    expect(engine.get(2)?.shelved_until).toBeNull();
    engine.shelve(2, T0 + 120_000);
    clock.set(T0 + 120_000);
    expect(commands).toHaveLength(2); // rule 2's timer still works
  });
});
