/** Escalation (SPEC 13): an alarm nobody acknowledges climbs a level every escalate_after_s. Pure. */
import type { AlarmRecord } from './alarm-state.js';
import type { EngineRule, EscalatedEvent } from './types.js';

/**
 * When the record next escalates; Infinity when it does not (acknowledged, shelved, out of
 * service, or a rule without escalation). After a pause (down, shelved) an overdue level comes at
 * once and the next one a full period later: levels never pile up.
 */
export function nextEscalation(record: AlarmRecord, rule: EngineRule): number {
  const period = rule.escalate_after_s;
  if (period === null || record.acked || record.unacked_since === null) return Infinity;
  if (record.shelved_until !== null || record.out_of_service !== null) return Infinity;
  return (record.escalated_at ?? record.unacked_since) + period * 1000;
}

/** Climbs one level at `now`. */
export function escalate(record: AlarmRecord, now: number): EscalatedEvent {
  record.escalation += 1;
  record.escalated_at = now;
  const unackedForS = Math.round((now - (record.unacked_since ?? now)) / 1000);
  return { kind: 'escalated', rule_id: record.rule_id, level: record.escalation, unacked_for_s: unackedForS };
}
