/** The alarm state machine: one transition function, transitions as data. */
import type { AlarmState } from '../kernel/enums.js';
import type { Level } from './levels.js';

export type TransitionReason =
  | 'value'
  | 'quality'
  | 'schedule'
  | 'disabled'
  | 'rule_changed'
  | 'deleted'
  | 'error'
  | 'out_of_service'
  | 'suppressed';

/** Who took a rule out of service, when and why (ISA-18.2). */
export interface OutOfService {
  since: number;
  user: string;
  comment: string;
}

/** What the engine persists per rule and restores at start-up. */
export interface AlarmRecord {
  rule_id: number;
  state: AlarmState;
  acked: boolean;
  shelved_until: number | null;
  /** ts of the last state change */
  since: number;
  /** the value that caused the last state change */
  value: number | null;
  /** not evaluated, at OK, off the active list, until returned to service */
  out_of_service: OutOfService | null;
  /** escalation level reached since the alarm was annunciated; 0 once acknowledged */
  escalation: number;
  /** when the alarm last went from acknowledged to not: escalation counts from here */
  unacked_since: number | null;
  /** when it last escalated: the next level comes escalate_after_s later */
  escalated_at: number | null;
}

/** What can happen to an alarm. Delays and deadband are already applied when a `level` arrives. */
export type AlarmInput =
  | { kind: 'level'; level: Level; reason: 'value' | 'quality' | 'schedule' | 'rule_changed' }
  | { kind: 'quality_lost' }
  | { kind: 'inactive'; reason: 'schedule' | 'disabled' | 'deleted' | 'out_of_service' | 'suppressed' }
  /** the rule's evaluation threw: its state cannot be known */
  | { kind: 'fault' }
  /** a rule that had thrown evaluates cleanly again, for `reason` (not `quality`: the value was fine) */
  | { kind: 'recovered'; level: Level; reason: 'value' | 'schedule' | 'rule_changed' };

/** A state change as data. */
export interface StateChange {
  from: AlarmState;
  to: AlarmState;
  reason: TransitionReason;
}

export const LEVEL_STATE: readonly ['OK', 'WARNING', 'ALARM'] = ['OK', 'WARNING', 'ALARM'];

/** The level a state stands for; UNKNOWN is no level (-1). */
export const STATE_LEVEL: Readonly<Record<AlarmState, Level | -1>> = { OK: 0, WARNING: 1, ALARM: 2, UNKNOWN: -1 };

/** ISA-18.2: entering any abnormal state needs a fresh acknowledgement; returning to OK does not. */
const UNACKS_ON_ENTRY: Readonly<Record<AlarmState, boolean>> = { OK: false, WARNING: true, ALARM: true, UNKNOWN: true };

/** Where `input` takes an alarm in state `from`, and why. Null when the state stays. */
export function transition(from: AlarmState, input: AlarmInput): StateChange | null {
  let to: AlarmState;
  let reason: TransitionReason;
  switch (input.kind) {
    case 'level':
      to = LEVEL_STATE[input.level];
      // leaving UNKNOWN is about quality coming back, whatever triggered the evaluation
      reason = from === 'UNKNOWN' ? 'quality' : input.reason;
      break;
    case 'quality_lost':
      to = 'UNKNOWN';
      reason = 'quality';
      break;
    case 'inactive':
      to = 'OK';
      reason = input.reason;
      break;
    case 'fault':
      to = 'UNKNOWN';
      reason = 'error';
      break;
    case 'recovered':
      to = LEVEL_STATE[input.level];
      reason = input.reason;
      break;
    default:
      return unreachable(input);
  }
  return to === from ? null : { from, to, reason };
}

/** Applies `input` to the record in place; returns the change, or null when nothing changed. */
export function applyInput(record: AlarmRecord, input: AlarmInput, ts: number, value: number | null): StateChange | null {
  const change = transition(record.state, input);
  if (change === null) return null;
  record.state = change.to;
  record.since = ts;
  record.value = value;
  if (UNACKS_ON_ENTRY[change.to] && record.acked) {
    record.acked = false;
    record.unacked_since = ts;
  }
  return change;
}

/** ISA-18.2: an alarm stays listed while abnormal or while nobody has acknowledged it, unless out of service. */
export function isActive(record: AlarmRecord): boolean {
  return record.out_of_service === null && (record.state !== 'OK' || !record.acked);
}

function unreachable(x: never): never {
  throw new Error(`unhandled alarm input ${JSON.stringify(x)}`);
}
