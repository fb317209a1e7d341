import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../journal/events.js';
import { wants, type EventFilter } from './event-filter.js';
import type { RuleInfo } from './outgoing.js';

const rules = new Map<number, RuleInfo>([[1, { name: 'Tank', severity: 'critical', plc_id: 1, state: 'ALARM' }]]);
const lookup = (id: number) => rules.get(id);

const event = (
  type: string,
  payload: Record<string, unknown> = {},
  topic: JournalEvent['topic'] = 'alarms',
  rule_id: number | null = 1,
): JournalEvent => ({
  id: 1,
  topic,
  type,
  ts: '2026-03-02T08:00:00.000Z',
  owner_id: null,
  rule_id,
  payload: { rule_id, ...payload },
});

const filter = (
  min_severity: EventFilter['min_severity'],
  events: EventFilter['events'] = ['alarm_state', 'alarm_ack', 'alarm_escalated'],
): EventFilter => ({ events, min_severity });

describe('wants', () => {
  it.each([
    ['an alarm_state at the minimum', filter('high'), event('alarm_state', { severity: 'high' }), true],
    ['an alarm_state above it', filter('high'), event('alarm_state', { severity: 'critical' }), true],
    ['an alarm_state below it', filter('high'), event('alarm_state', { severity: 'medium' }), false],
    ["an alarm_ack, by its rule's severity", filter('high'), event('alarm_ack'), true],
    ["an alarm_escalated, by its rule's severity", filter('critical'), event('alarm_escalated', { level: 1 }), true],
    ['an ack of a rule that is gone', filter('critical'), event('alarm_ack', {}, 'alarms', 99), true],
    ['a type the notifier did not pick', filter('low'), event('alarm_shelved'), false],
    ['a type picked but filtered by severity', filter('low', ['alarm_shelved']), event('alarm_shelved'), true],
    ['a config event', filter('low', ['alarm_state']), event('alarm_state', {}, 'config'), false],
  ])('%s', (_what, f, e, expected) => {
    expect(wants(f, e, lookup)).toBe(expected);
  });
});
