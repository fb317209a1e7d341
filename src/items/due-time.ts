/** When personal alarms and timers come due. Pure: instants in, instants out, zones via Intl. */
import { DAY, isoWeekdayOf, offsetAt, offsetChangeBetween, timeOfDayMs } from '../kernel/time.js';
import type { AlarmSchedule, ItemInput, TimerState } from './item.js';

/**
 * The instant a wall-clock time `local` (ms since the epoch as if the zone were UTC) happens in
 * `zone`. Around a DST change: a time that happens twice (fall-back) is the first of the two;
 * a time that never happens (spring-forward gap) is the end of the gap, the first valid instant
 * after it (02:30 on a day the clock jumps 02:00 -> 03:00 rings at 03:00).
 */
export function wallTimeToInstant(zone: string, local: number): number {
  // At most one offset change within a day either side of any wall-clock time.
  const offsets = [...new Set([offsetAt(zone, local - DAY), offsetAt(zone, local), offsetAt(zone, local + DAY)])];
  const valid = offsets.map((o) => local - o).filter((t) => t + offsetAt(zone, t) === local);
  if (valid.length > 0) return Math.min(...valid);
  const earlier = local - Math.max(...offsets); // still on the old offset
  const later = local - Math.min(...offsets); // already on the new one
  return offsetChangeBetween(zone, earlier, later);
}

/** The first instant strictly after `after` at which the alarm rings. */
export function nextAlarmAt(alarm: AlarmSchedule, after: number): number {
  const today = Math.floor((after + offsetAt(alarm.timezone, after)) / DAY);
  const at = timeOfDayMs(alarm.time);
  // Instants grow with the local day, so the first day that lands after `after` wins; a week
  // and two days cover every pattern and a DST shift.
  for (let day = today - 1; day <= today + 8; day++) {
    if (!alarm.days.includes(isoWeekdayOf(day))) continue;
    const t = wallTimeToInstant(alarm.timezone, day * DAY + at);
    if (t > after) return t;
  }
  throw new Error(`alarm ${JSON.stringify(alarm)} has no time in the next week`);
}

/** The last instant in (after, upTo] at which the alarm rang, or null when it did not. */
export function lastAlarmAt(alarm: AlarmSchedule, after: number, upTo: number): number | null {
  // Beyond a week every weekly pattern repeats: look at the last eight days only.
  let t = Math.max(after, upTo - 8 * DAY);
  let last: number | null = null;
  for (;;) {
    t = nextAlarmAt(alarm, t);
    if (t > upTo) return last;
    last = t;
  }
}

/** The instant a running timer ends, or null when it is stopped. */
export function timerEndsAt(timer: TimerState): number | null {
  return timer.started_at === null ? null : Date.parse(timer.started_at) + timer.duration_s * 1000;
}

/**
 * When an item that was just saved at `now` next comes due, or null for never. `lastDueAt` is
 * the due instant it last fired for: a timer fires once per start, so one that already fired
 * at or after its current `started_at` stays quiet. A stopped timer or a disabled item is never
 * due; a timer that ended before it was saved (started on a device that was offline) is due at
 * once; an alarm rings at its next time after `now`, never for times already past.
 */
export function nextDueAt(item: ItemInput, now: number, lastDueAt: number | null): number | null {
  if (!item.enabled) return null;
  if (item.kind === 'alarm') return nextAlarmAt(item.alarm, now);
  const end = timerEndsAt(item.timer);
  if (end === null) return null;
  const started = end - item.timer.duration_s * 1000;
  return lastDueAt !== null && lastDueAt >= started ? null : end;
}

/** Fired later than this after its due time, an `item_due` says `late: true`. */
export const LATE_AFTER_MS = 5_000;

/**
 * What firing an item that was due at `dueAt` means at `now`: the due time to report (for an
 * alarm that rang several times while the server was down, the latest of them: it rings once),
 * whether that is late, and when it is next due.
 */
export function fire(item: ItemInput, dueAt: number, now: number): { dueAt: number; late: boolean; next: number | null } {
  if (item.kind === 'timer') return { dueAt, late: now - dueAt > LATE_AFTER_MS, next: null };
  const latest = lastAlarmAt(item.alarm, dueAt - 1, now) ?? dueAt;
  return { dueAt: latest, late: now - latest > LATE_AFTER_MS, next: item.enabled ? nextAlarmAt(item.alarm, now) : null };
}
