import { describe, expect, it } from 'vitest';
import type { AlarmState } from '../kernel/enums.js';
import { applyInput, transition, type AlarmInput, type AlarmRecord } from './alarm-state.js';
import { record as storedRecord } from './test-harness.js';

describe('transition', () => {
  const cases: [AlarmState, AlarmInput, string | null][] = [
    ['OK', { kind: 'level', level: 2, reason: 'value' }, 'OK>ALARM:value'],
    ['ALARM', { kind: 'level', level: 1, reason: 'rule_changed' }, 'ALARM>WARNING:rule_changed'],
    ['WARNING', { kind: 'level', level: 1, reason: 'value' }, null],
    ['UNKNOWN', { kind: 'level', level: 0, reason: 'value' }, 'UNKNOWN>OK:quality'],
    ['UNKNOWN', { kind: 'level', level: 2, reason: 'schedule' }, 'UNKNOWN>ALARM:quality'],
    ['WARNING', { kind: 'quality_lost' }, 'WARNING>UNKNOWN:quality'],
    ['UNKNOWN', { kind: 'quality_lost' }, null],
    ['UNKNOWN', { kind: 'inactive', reason: 'disabled' }, 'UNKNOWN>OK:disabled'],
    ['OK', { kind: 'inactive', reason: 'deleted' }, null],
  ];
  it.each(cases)('%s + %o -> %s', (from, input, expected) => {
    const change = transition(from, input);
    expect(change && `${change.from}>${change.to}:${change.reason}`).toBe(expected);
  });
});

describe('applyInput', () => {
  it('entering an abnormal state unacks; returning to OK keeps acked as it was', () => {
    const record: AlarmRecord = storedRecord({ rule_id: 1 });
    applyInput(record, { kind: 'level', level: 2, reason: 'value' }, 10, 90);
    expect(record).toMatchObject({ state: 'ALARM', acked: false, since: 10, value: 90, unacked_since: 10 });
    record.acked = true;
    applyInput(record, { kind: 'level', level: 0, reason: 'value' }, 20, 5);
    expect(record).toMatchObject({ state: 'OK', acked: true, since: 20, value: 5 });
    expect(applyInput(record, { kind: 'level', level: 0, reason: 'value' }, 30, 4)).toBeNull();
    expect(record.since).toBe(20);
  });
});
