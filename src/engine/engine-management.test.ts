import { describe, expect, it } from 'vitest';
import { harness, record, rule, T0 } from './test-harness.js';
import type { SuppressWhen } from './types.js';

const ids = (h: ReturnType<typeof harness>) => h.engine.active().map((a) => a.rule_id);
/** Rule 1 watches datapoint 1; datapoint 2 says whether its pump runs (1) or not (0). */
const pumpStopped: SuppressWhen = { datapoint_id: 2, comparison: 'equal', value: 0 };
const flowLow = (over = {}) =>
  rule({ comparison: 'below', warning_threshold: 30, alarm_threshold: 10, suppress_when: pumpStopped, ...over });
const escalates = (over = {}) => rule({ escalate_after_s: 60, ...over });

describe('out of service', () => {
  it('stands at OK with reason out_of_service, off the active list, not evaluated', () => {
    const h = harness();
    h.send(1, 85);
    const result = h.engine.outOfService(1, { user: 'ann', comment: 'transmitter broken' });
    expect(result).toMatchObject({ kind: 'out_of_service', user: 'ann', comment: 'transmitter broken', since: T0 });
    expect(result.kind === 'out_of_service' && result.transitions.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual([
      'ALARM>OK:out_of_service',
    ]);
    expect(h.batches.slice(1)).toEqual([]); // the transitions come back in the result, for the caller to journal after the command
    expect(ids(h)).toEqual([]);
    h.send(1, 99);
    h.send(1, null, 'bad');
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
    expect(h.engine.outOfServiceList().map((a) => a.out_of_service)).toEqual([{ since: T0, user: 'ann', comment: 'transmitter broken' }]);
  });

  it('returned to service, is evaluated at once against the last value', () => {
    const h = harness();
    h.engine.outOfService(1, { user: 'ann', comment: 'x' });
    h.send(1, 85);
    const back = h.engine.returnToService(1, { user: 'bob', comment: null });
    expect(back.kind === 'in_service' && back.transitions.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual(['OK>ALARM:value']);
    expect(ids(h)).toEqual([1]);
    expect(h.engine.outOfServiceList()).toEqual([]);
  });

  it('again changes nothing; unknown rules are not found', () => {
    const h = harness();
    h.engine.outOfService(1, { user: 'ann', comment: 'x' });
    expect(h.engine.outOfService(1, { user: 'ann', comment: 'y' })).toEqual({ kind: 'unchanged', rule_id: 1 });
    expect(h.engine.returnToService(1, { user: 'ann', comment: null }).kind).toBe('in_service');
    expect(h.engine.returnToService(1, { user: 'ann', comment: null })).toEqual({ kind: 'unchanged', rule_id: 1 });
    expect(h.engine.outOfService(9, { user: 'ann', comment: 'x' })).toEqual({ kind: 'not_found', rule_id: 9 });
  });

  it('survives a restart: a restored record out of service stays so', () => {
    const oos = { since: T0 - 1000, user: 'ann', comment: 'x' };
    const h = harness([rule()], [record({ rule_id: 1, out_of_service: oos })]);
    h.send(1, 99);
    expect(h.moves()).toEqual([]);
    expect(h.engine.get(1)?.out_of_service).toEqual(oos);
  });

  it('a rule edit keeps it out of service; disabled wins as the reason', () => {
    const h = harness();
    h.send(1, 85);
    h.engine.outOfService(1, { user: 'ann', comment: 'x' });
    h.engine.upsertRule(rule({ alarm_threshold: 70 }));
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
    expect(h.engine.get(1)).toMatchObject({ state: 'OK' });
  });
});

describe('suppression by design', () => {
  it.each([
    // [pump running sample, flow sample, state]: suppressed only while the condition holds on a good value
    ['pump stopped, flow low', 0, 5, 'OK'],
    ['pump running, flow low', 1, 5, 'ALARM'],
    ['pump running, flow fine', 1, 50, 'OK'],
  ] as const)('%s -> %s', (_name, pump, flow, state) => {
    const h = harness([flowLow()]);
    h.send(2, pump);
    h.send(1, flow);
    expect(h.engine.get(1)?.state).toBe(state);
  });

  it('a bad value on the suppressing datapoint does not suppress', () => {
    const h = harness([flowLow()]);
    h.send(2, 0);
    h.send(1, 5);
    expect(h.engine.get(1)?.state).toBe('OK');
    h.send(2, null, 'bad');
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
  });

  it('a pump that stops in the same poll as its flow drops: no alarm at all', () => {
    const h = harness([flowLow()]);
    h.engine.ingest([
      { datapoint_id: 2, value: 1, quality: 'good', ts: T0 },
      { datapoint_id: 1, value: 50, quality: 'good', ts: T0 },
    ]);
    h.engine.ingest([
      { datapoint_id: 1, value: 0, quality: 'good', ts: T0 + 1000 },
      { datapoint_id: 2, value: 0, quality: 'good', ts: T0 + 1000 },
    ]);
    expect(h.moves()).toEqual([]);
  });

  it('an alarm standing when suppression begins goes OK with reason suppressed', () => {
    const h = harness([flowLow()]);
    h.send(2, 1);
    h.send(1, 5);
    h.send(2, 0);
    expect(h.moves()).toEqual(['1:OK>ALARM:value', '1:ALARM>OK:suppressed']);
    expect(h.engine.suppressed()).toMatchObject([{ alarm: { rule_id: 1 }, would_be: 'ALARM' }]);
    expect(h.engine.counts()).toEqual({ shelved: 0, out_of_service: 0, suppressed: 1 });
  });

  it('when it ends the rule is evaluated at once, its on-delay counted from the end', () => {
    const h = harness([flowLow({ on_delay_ms: 5000 })]);
    h.send(2, 0);
    h.send(1, 5);
    h.clock.advance(60_000); // flow low for a minute while stopped: nothing
    h.send(2, 1); // pump starts, flow still low
    expect(h.moves()).toEqual([]);
    h.clock.advance(4999);
    expect(h.moves()).toEqual([]);
    h.clock.advance(1);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
  });

  it('follows an edit of suppress_when, and its removal', () => {
    const h = harness([flowLow({ suppress_when: null })]);
    h.send(2, 0);
    h.send(1, 5);
    h.engine.upsertRule(flowLow());
    h.engine.upsertRule(flowLow({ suppress_when: null }));
    expect(h.moves()).toEqual(['1:OK>ALARM:value', '1:ALARM>OK:suppressed', '1:OK>ALARM:rule_changed']);
  });
});

describe('escalation', () => {
  it('climbs a level every escalate_after_s until acked', () => {
    const h = harness([escalates()]);
    h.send(1, 85);
    h.clock.advance(59_999);
    expect(h.commands).toEqual([]);
    h.clock.advance(1);
    expect(h.commands).toEqual([{ kind: 'escalated', rule_id: 1, level: 1, unacked_for_s: 60 }]);
    h.clock.advance(60_000);
    expect(h.commands.at(-1)).toEqual({ kind: 'escalated', rule_id: 1, level: 2, unacked_for_s: 120 });
    expect(h.engine.get(1)?.escalation).toBe(2);
    h.engine.ack(1, h.clock.now());
    h.clock.advance(600_000);
    expect(h.commands).toHaveLength(2);
    expect(h.engine.get(1)?.escalation).toBe(0);
  });

  it('transitions carry the level; a new annunciation starts again at 0', () => {
    const h = harness([escalates()]);
    h.send(1, 60);
    h.clock.advance(60_000);
    h.send(1, 85); // WARNING -> ALARM: still the same unacknowledged alarm
    expect(h.batches.at(-1)).toMatchObject([{ to: 'ALARM', escalation: 1 }]);
    h.engine.ack(1, h.clock.now());
    h.send(1, 10);
    h.send(1, 85);
    expect(h.batches.at(-1)).toMatchObject([{ to: 'ALARM', escalation: 0 }]);
  });

  it('not while shelved or out of service; an overdue level comes once, the next a full period later', () => {
    const h = harness([escalates()]);
    h.send(1, 85);
    h.engine.shelve(1, T0 + 300_000);
    h.clock.advance(300_000); // the shelf ends 5 minutes in
    expect(h.commands.map((c) => c.kind)).toEqual(['unshelved', 'escalated']);
    expect(h.commands[1]).toMatchObject({ level: 1, unacked_for_s: 300 });
    h.clock.advance(59_999);
    expect(h.commands).toHaveLength(2);
    h.clock.advance(1);
    expect(h.commands.at(-1)).toMatchObject({ level: 2, unacked_for_s: 360 });
    h.engine.outOfService(1, { user: 'ann', comment: 'x' });
    h.clock.advance(600_000);
    expect(h.commands).toHaveLength(3);
  });

  it('restored unacknowledged alarms escalate on from their stored times', () => {
    const standing = record({
      rule_id: 1,
      state: 'ALARM',
      acked: false,
      since: T0 - 90_000,
      value: 90,
      escalation: 1,
      escalated_at: T0 - 30_000,
    });
    const h = harness([escalates()], [standing]);
    h.clock.advance(29_999);
    expect(h.commands).toEqual([]);
    h.clock.advance(1);
    expect(h.commands).toEqual([{ kind: 'escalated', rule_id: 1, level: 2, unacked_for_s: 120 }]);
  });

  it('no escalation without escalate_after_s', () => {
    const h = harness();
    h.send(1, 85);
    h.clock.advance(86_400_000);
    expect(h.commands).toEqual([]);
  });
});
