/** Rule schedules: active at an instant, and the next instant activity changes. Pure, Intl-based. */
import type { Schedule } from './types.js';
import { canonicalTimeZone, DAY, mod, offsetAt, offsetChangeBetween, timeOfDayMs, wallClock } from '../kernel/time.js';

/** A schedule parsed once: weekdays as a bit mask, times as ms of the day. */
export interface CompiledSchedule {
  zone: string;
  windows: readonly { days: number; start: number; end: number }[];
  /** every start and end, plus midnight (the weekday changes), sorted; the last is DAY */
  boundaries: readonly number[];
}

// Beyond a week every weekly pattern repeats; a day more covers DST shifts.
const HORIZON = 8 * DAY;

export function compileSchedule(schedule: Schedule): CompiledSchedule {
  const windows = schedule.windows.map((w) => ({
    days: w.days.reduce((mask, d) => mask | dayBit(d), 0),
    start: timeOfDayMs(w.start),
    end: timeOfDayMs(w.end),
  }));
  const boundaries = [...new Set([DAY, ...windows.flatMap((w) => [w.start, w.end])])]
    .filter((b) => b > 0 && b <= DAY)
    .sort((a, b) => a - b);
  // Throws now, not at the first edge, on an unknown zone; the canonical name hits the formatter cache.
  const zone = canonicalTimeZone(schedule.timezone);
  if (zone === undefined) throw new RangeError(`unknown time zone ${JSON.stringify(schedule.timezone)}`);
  return { zone, windows, boundaries };
}

/** Whether the schedule is active at instant `t`. */
export function isScheduleActive(schedule: CompiledSchedule, t: number): boolean {
  const { weekday, msOfDay } = wallClock(schedule.zone, t);
  return isActiveAt(schedule, weekday, msOfDay);
}

/**
 * Activity by wall clock. A window whose end is not after its start crosses midnight and belongs
 * to its start day (so "00:00"-"00:00" is a whole day); its early part runs on the next weekday.
 * Wall-clock times skipped by a DST jump never occur, repeated ones occur twice.
 */
export function isActiveAt(schedule: CompiledSchedule, weekday: number, msOfDay: number): boolean {
  const today = dayBit(weekday);
  const yesterday = dayBit(weekday === 1 ? 7 : weekday - 1);
  for (const w of schedule.windows) {
    if (w.start < w.end) {
      if (w.days & today && msOfDay >= w.start && msOfDay < w.end) return true;
    } else if ((w.days & today && msOfDay >= w.start) || (w.days & yesterday && msOfDay < w.end)) {
      return true;
    }
  }
  return false;
}

/**
 * The first instant after `t` at which activity differs from activity at `t`; null when it never
 * changes (always or never active). Walks wall-clock boundaries; when the zone's offset changes
 * before the next one, the change itself is the next candidate (the wall clock jumps there).
 */
export function nextScheduleEdge(schedule: CompiledSchedule, t: number): number | null {
  const wasActive = isScheduleActive(schedule, t);
  let cur = t;
  while (cur - t <= HORIZON) {
    const offset = offsetAt(schedule.zone, cur);
    const msOfDay = mod(cur + offset, DAY);
    const boundary = schedule.boundaries.find((b) => b > msOfDay) ?? DAY;
    let next = cur + (boundary - msOfDay);
    if (offsetAt(schedule.zone, next) !== offset) next = offsetChangeBetween(schedule.zone, cur, next);
    if (isScheduleActive(schedule, next) !== wasActive) return next;
    cur = next;
  }
  return null;
}

function dayBit(isoWeekday: number): number {
  return 1 << (isoWeekday - 1);
}
