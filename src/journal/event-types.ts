import type { Topic } from '../kernel/enums.js';

const configTypes = ['plc', 'datapoint', 'rule', 'notifier'].flatMap((resource) =>
  ['created', 'updated', 'deleted'].map((action) => `${resource}_${action}`),
);

/** The alarm event types of SPEC 5 (and 13): what a notifier may send. */
export const ALARM_EVENT_TYPES = [
  'alarm_state',
  'alarm_ack',
  'alarm_shelved',
  'alarm_unshelved',
  'alarm_escalated',
  'alarm_out_of_service',
  'alarm_in_service',
] as const;

export type AlarmEventType = (typeof ALARM_EVENT_TYPES)[number];

/**
 * Every event type the server journals, by topic (SPEC 5 and 13): what history may be filtered
 * by. `sign_in_failed` is ours (README, "Audit").
 */
export const EVENT_TYPES: Record<Topic, readonly string[]> = {
  alarms: ALARM_EVENT_TYPES,
  audit: ['user_created', 'user_updated', 'user_deleted', 'signed_in', 'signed_out', 'sign_in_failed'],
  config: configTypes,
  system: ['plc_status'],
  items: ['item_created', 'item_updated', 'item_deleted', 'item_due'],
};

const KNOWN = new Set(Object.values(EVENT_TYPES).flat());

export const isEventType = (type: string): boolean => KNOWN.has(type);
