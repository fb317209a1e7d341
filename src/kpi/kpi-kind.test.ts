import { describe, expect, it } from 'vitest';
import { KPI_ACK, kpiKindOf, kpiTimeOf } from './kpi-kind.js';

const state = (previous_state: string, state: string, more: Record<string, unknown> = {}) => ({
  previous_state,
  state,
  severity: 'high',
  shelved: false,
  ...more,
});

describe('kpiKindOf', () => {
  it.each([
    ['OK -> WARNING', 'alarm_state', state('OK', 'WARNING'), 3],
    ['OK -> ALARM', 'alarm_state', state('OK', 'ALARM'), 3],
    ['OK -> UNKNOWN', 'alarm_state', state('OK', 'UNKNOWN'), 3],
    ['low', 'alarm_state', state('OK', 'ALARM', { severity: 'low' }), 1],
    ['medium', 'alarm_state', state('OK', 'ALARM', { severity: 'medium' }), 2],
    ['critical', 'alarm_state', state('OK', 'ALARM', { severity: 'critical' }), 4],
    ['WARNING -> ALARM is the same alarm', 'alarm_state', state('WARNING', 'ALARM'), null],
    ['UNKNOWN -> ALARM is the same alarm', 'alarm_state', state('UNKNOWN', 'ALARM'), null],
    ['a return to OK', 'alarm_state', state('ALARM', 'OK'), null],
    ['OK -> OK (a rule edited while inactive)', 'alarm_state', state('OK', 'OK'), null],
    ['shelved', 'alarm_state', state('OK', 'ALARM', { shelved: true }), null],
    ['an ack', 'alarm_ack', { rule_id: 1, user: 'op' }, KPI_ACK],
    ['a shelve', 'alarm_shelved', { rule_id: 1 }, null],
    ['a config event', 'rule_updated', { previous_state: 'OK', state: 'ALARM', severity: 'high' }, null],
  ])('%s', (_, type, payload, kind) => {
    expect(kpiKindOf(type, payload)).toBe(kind);
  });
});

describe('kpiTimeOf', () => {
  it('is the journal time in ms, or null for a ts that is no time', () => {
    expect(kpiTimeOf('2026-12-01T08:00:00.000Z')).toBe(Date.UTC(2026, 11, 1, 8));
    expect(kpiTimeOf('ts')).toBeNull();
  });
});
