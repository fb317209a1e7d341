import type { JournalEvent } from '../journal/events.js';
import { SEVERITIES, type Severity } from '../kernel/enums.js';
import type { NotifierConfig } from './notifier.js';
import type { RuleLookup } from './outgoing.js';

/** 0 (low) to 3 (critical); -1 for what is no severity. */
const rank = (s: unknown) => SEVERITIES.indexOf(s as Severity);

const isSeverity = (s: unknown): s is Severity => rank(s) >= 0;

/** The part of a notifier's settings that picks its events. */
export type EventFilter = Pick<NotifierConfig, 'events' | 'min_severity'>;

/**
 * Whether a notifier sends this event (SPEC 14): an alarm event of its `events` whose rule has at
 * least `min_severity`. Only `alarm_state` carries a severity; the others take the rule's. An
 * event of a rule that is gone goes out: better one message too many than a lost alarm.
 */
export function wants(filter: EventFilter, e: JournalEvent, rules?: RuleLookup): boolean {
  if (e.topic !== 'alarms' || !(filter.events as readonly string[]).includes(e.type)) return false;
  const severity = isSeverity(e.payload.severity) ? e.payload.severity : e.rule_id === null ? undefined : rules?.(e.rule_id)?.severity;
  return severity === undefined || rank(severity) >= rank(filter.min_severity);
}
