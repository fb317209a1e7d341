import { describe, expect, it } from 'vitest';
import { harness, rule, T0 } from './test-harness.js';

describe('on_delay', () => {
  it('enters ALARM once the condition has held long enough, fired by the clock', () => {
    const h = harness([rule({ on_delay_ms: 10_000 })]);
    h.send(1, 85);
    h.clock.advance(9_999);
    expect(h.moves()).toEqual([]);
    h.clock.advance(1);
    expect(h.batches[0]).toMatchObject([{ from: 'OK', to: 'ALARM', reason: 'value', ts: T0 + 10_000, value: 85 }]);
  });

  it('is cancelled when the condition is interrupted', () => {
    const h = harness([rule({ on_delay_ms: 10_000 })]);
    h.send(1, 85);
    h.clock.advance(5_000);
    h.send(1, 40);
    h.clock.advance(20_000);
    expect(h.moves()).toEqual([]);
    expect(h.clock.pending()).toBe(0);
  });

  it('restarts after an interruption', () => {
    const h = harness([rule({ on_delay_ms: 10_000 })]);
    h.send(1, 85);
    h.clock.advance(5_000);
    h.send(1, 40);
    h.clock.advance(1_000);
    h.send(1, 90);
    h.clock.advance(9_999);
    expect(h.moves()).toEqual([]);
    h.clock.advance(1);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
  });

  it('enters each level once its own condition has held: WARNING first, then ALARM', () => {
    const h = harness([rule({ on_delay_ms: 10_000 })]);
    h.send(1, 60);
    h.clock.advance(4_000);
    h.send(1, 85); // the warning condition still holds, since T0
    h.clock.advance(6_000);
    expect(h.moves()).toEqual(['1:OK>WARNING:value']);
    h.clock.advance(4_000);
    expect(h.moves()).toEqual(['1:WARNING>ALARM:value']);
  });

  it('completes on a sample whose timestamp is past the delay, before the timer', () => {
    const h = harness([rule({ on_delay_ms: 10_000 })]);
    h.send(1, 85);
    h.engine.ingest([{ datapoint_id: 1, value: 85, quality: 'good', ts: T0 + 10_000 }]);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
    expect(h.clock.pending()).toBe(0);
  });
});

describe('off_delay', () => {
  it('leaves ALARM only once the condition has been absent long enough', () => {
    const h = harness([rule({ off_delay_ms: 5_000 })]);
    h.send(1, 85);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
    h.send(1, 40);
    h.clock.advance(4_999);
    expect(h.moves()).toEqual([]);
    h.clock.advance(1);
    expect(h.moves()).toEqual(['1:ALARM>OK:value']);
  });

  it('is cancelled when the condition returns', () => {
    const h = harness([rule({ off_delay_ms: 5_000 })]);
    h.send(1, 85);
    h.send(1, 40);
    h.clock.advance(3_000);
    h.send(1, 85);
    h.clock.advance(10_000);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
  });

  it('steps down as each higher condition has been absent long enough', () => {
    const h = harness([rule({ off_delay_ms: 5_000 })]);
    h.send(1, 85);
    h.send(1, 60);
    h.clock.advance(2_000);
    h.send(1, 40);
    h.clock.advance(3_000);
    expect(h.moves()).toEqual(['1:OK>ALARM:value', '1:ALARM>WARNING:value']);
    h.clock.advance(2_000);
    expect(h.moves()).toEqual(['1:WARNING>OK:value']);
  });
});

describe('deadband through the engine', () => {
  it('stays at exactly threshold - deadband and leaves below it', () => {
    const h = harness([rule({ warning_threshold: null, deadband: 2 })]);
    h.send(1, 80);
    h.send(1, 78);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
    h.send(1, 77.9);
    expect(h.moves()).toEqual(['1:ALARM>OK:value']);
  });
});

describe('batching and the hot path', () => {
  it('delivers all transitions of one ingest call in one batch', () => {
    const h = harness([rule({ id: 1 }), rule({ id: 2, datapoint_id: 2, comparison: 'below', warning_threshold: 10, alarm_threshold: 2 })]);
    h.engine.ingest([
      { datapoint_id: 1, value: 60, quality: 'good', ts: T0 },
      { datapoint_id: 2, value: 5, quality: 'good', ts: T0 },
      { datapoint_id: 1, value: 90, quality: 'good', ts: T0 + 1 },
    ]);
    expect(h.batches).toHaveLength(1);
    expect(h.moves()).toEqual(['1:OK>WARNING:value', '2:OK>WARNING:value', '1:WARNING>ALARM:value']);
  });

  it('emits nothing when nothing changes and does not evaluate unchanged values', () => {
    const h = harness();
    h.send(1, 85);
    const evaluations = h.engine.stats().evaluations;
    h.send(1, 85);
    h.send(1, 86);
    expect(h.moves()).toEqual(['1:OK>ALARM:value']);
    expect(h.engine.stats().evaluations).toBe(evaluations + 1);
  });

  it('keeps at most one timer per rule', () => {
    const h = harness([
      rule({ on_delay_ms: 10_000, schedule: { timezone: 'UTC', windows: [{ days: [1], start: '00:00', end: '12:00' }] } }),
    ]);
    h.engine.shelve(1, T0 + 60_000);
    h.send(1, 85);
    h.clock.advance(1_000);
    h.send(1, 95);
    expect(h.clock.pending()).toBe(1);
    expect(h.engine.stats().timers).toBe(1);
  });
});
