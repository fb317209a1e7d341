/** Per-rule runtime beside the alarm record: which level the value calls for, and since when. */
import { STATE_LEVEL, type AlarmRecord } from './alarm-state.js';
import { levelFor, type Level } from './levels.js';
import type { CompiledSchedule } from './schedule.js';
import type { EngineRule } from './types.js';
import type { Quality } from '../kernel/enums.js';

/** A datapoint's latest sample and the rules that watch it. */
export interface PointState {
  seen: boolean;
  /** a finite value with good quality */
  good: boolean;
  /** the value rules evaluate (meaningful only when good) */
  value: number;
  /** when value or goodness last changed: the start of the current condition by sample time */
  changedAt: number;
  /** the latest sample as received, for lastValue(); a null value is kept as a flag so the field
   * stays a plain double (V8 boxes a double stored in a field that also holds null, on every store) */
  raw: number;
  rawNull: boolean;
  quality: Quality;
  ts: number;
  rules: RuleSlot[];
  /** rules whose suppress_when watches this datapoint */
  suppresses: RuleSlot[];
}

export interface RuleSlot {
  rule: EngineRule;
  record: AlarmRecord;
  point: PointState;
  /** rule.schedule compiled on first use; null until then and when the rule has none */
  schedule: CompiledSchedule | null;
  /** enabled, in service, inside its schedule and not suppressed: evaluated */
  gateOpen: boolean;
  /** the datapoint its suppress_when watches */
  suppressor: PointState | null;
  /** its suppress_when holds on the suppressing datapoint's latest good value */
  suppressed: boolean;
  /** the level the value last called for, -1 when none yet (fresh, gated or UNKNOWN) */
  target: Level | -1;
  /** when the value last went to its current side of the OK|WARNING and WARNING|ALARM boundaries */
  since1: number;
  since2: number;
  /** when a pending on/off delay completes; Infinity when none is pending */
  due: number;
  /** the next schedule edge; Infinity when none */
  edgeAt: number;
  /** when this rule is next due, min(due, edgeAt, shelved_until, next escalation): its timer's instant */
  timerAt: number;
  /** its evaluation threw: UNKNOWN (reason error) until it evaluates cleanly again */
  failing: boolean;
}

export function newPoint(): PointState {
  return { seen: false, good: false, value: 0, changedAt: 0, raw: 0, rawNull: true, quality: 'bad', ts: 0, rules: [], suppresses: [] };
}

/** evaluate() outcomes besides a level to enter. */
export const NO_CHANGE = -2;
export const TO_UNKNOWN = -1;

/**
 * Decides what the rule's state should become at `now`; sides that flip are dated `flipTs`.
 * Returns a level to enter, TO_UNKNOWN or NO_CHANGE, and leaves `slot.due` set for the caller's timer.
 * A higher level is entered once its condition has held on_delay_ms, the highest such level first;
 * a lower one once the conditions above it have been absent off_delay_ms.
 */
export function evaluate(slot: RuleSlot, flipTs: number, now: number): Level | typeof TO_UNKNOWN | typeof NO_CHANGE {
  const point = slot.point;
  const current = STATE_LEVEL[slot.record.state];
  if (!point.seen) return NO_CHANGE;
  if (!point.good) {
    forget(slot);
    return current === -1 ? NO_CHANGE : TO_UNKNOWN;
  }
  if (current === -1) {
    // Recovery from UNKNOWN is immediate, to the level the value calls for: delays filter moves
    // between known levels, and holding UNKNOWN (or a false OK) longer would hide a known value.
    const level = levelFor(slot.rule, point.value, -1);
    track(slot, level, flipTs);
    slot.due = Infinity;
    return level;
  }
  const target = levelFor(slot.rule, point.value, current);
  track(slot, target, flipTs);
  let next: Level = current;
  if (target > current) {
    for (let l: number = target; l > current; l--) {
      if (sinceOf(slot, l) + slot.rule.on_delay_ms <= now) {
        next = l as Level;
        break;
      }
    }
  } else if (target < current) {
    for (let l: number = target; l < current; l++) {
      if (sinceOf(slot, l + 1) + slot.rule.off_delay_ms <= now) {
        next = l as Level;
        break;
      }
    }
  }
  // Deadband regimes differ per level; re-read the target as seen from the new level.
  if (next !== current) track(slot, levelFor(slot.rule, point.value, next), now);
  slot.due = dueAt(slot, next);
  return next === current ? NO_CHANGE : next;
}

/** Drops delay bookkeeping (gated out, quality lost, moved to another datapoint). */
export function forget(slot: RuleSlot): void {
  slot.target = -1;
  slot.due = Infinity;
}

function track(slot: RuleSlot, target: Level, ts: number): void {
  const old = slot.target;
  if (old === -1 || old >= 1 !== target >= 1) slot.since1 = ts;
  if (old === -1 || old >= 2 !== target >= 2) slot.since2 = ts;
  slot.target = target;
}

function sinceOf(slot: RuleSlot, boundary: number): number {
  return boundary === 1 ? slot.since1 : slot.since2;
}

/** The lower boundary went up first, the upper one went down first: those mature first. */
function dueAt(slot: RuleSlot, level: Level): number {
  if (slot.target > level) return sinceOf(slot, level + 1) + slot.rule.on_delay_ms;
  if (slot.target < level) return sinceOf(slot, level) + slot.rule.off_delay_ms;
  return Infinity;
}
