/** Operator commands on one alarm record: acknowledge and shelve. Pure; results are data. */
import type { AlarmRecord } from './alarm-state.js';
import type { AckResult, ShelveResult, UnshelveResult } from './types.js';

/** ISA-18.2 acknowledgement; acking an acked alarm changes nothing and says so. */
export function acknowledge(record: AlarmRecord, ts: number): AckResult {
  if (record.acked) return { kind: 'nothing_to_ack', rule_id: record.rule_id };
  record.acked = true;
  record.unacked_since = null;
  record.escalation = 0;
  record.escalated_at = null;
  return { kind: 'ack', rule_id: record.rule_id, ts };
}

/** Shelving again while shelved moves the end; the engine's timer ends it. */
export function shelve(record: AlarmRecord, until: number): ShelveResult {
  record.shelved_until = until;
  return { kind: 'shelved', rule_id: record.rule_id, until };
}

export function unshelve(record: AlarmRecord, reason: 'expired' | 'manual'): UnshelveResult {
  if (record.shelved_until === null) return { kind: 'not_shelved', rule_id: record.rule_id };
  record.shelved_until = null;
  return { kind: 'unshelved', rule_id: record.rule_id, reason };
}
