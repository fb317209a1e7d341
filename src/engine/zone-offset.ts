/** UTC offsets of IANA time zones via Intl (no Node APIs: runs on Bun and in browsers). */

export const MINUTE = 60_000;
export const DAY = 86_400_000;

// Constructing a DateTimeFormat costs tens of microseconds; formatting with one costs ~1.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  return format;
}

/** Whether Intl knows the zone (for validators; the engine expects valid zones). */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds to add to the UTC instant `t` to get wall-clock time in `zone`. */
export function offsetAt(zone: string, t: number): number {
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  for (const part of formatFor(zone).formatToParts(t)) {
    const n = Number(part.value);
    switch (part.type) {
      case 'year': year = n; break;
      case 'month': month = n; break;
      case 'day': day = n; break;
      case 'hour': hour = n === 24 ? 0 : n; break; // older engines print midnight as 24 despite h23
      case 'minute': minute = n; break;
      case 'second': second = n; break;
      default: break;
    }
  }
  const wholeSecond = t - mod(t, 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecond;
}

/** Wall-clock weekday (ISO, 1 = Monday) and time of day in ms for `t` in `zone`. */
export function wallClock(zone: string, t: number): { weekday: number; msOfDay: number } {
  const local = t + offsetAt(zone, t);
  const day = Math.floor(local / DAY);
  // 1970-01-01 was a Thursday (ISO 4)
  return { weekday: mod(day + 3, 7) + 1, msOfDay: local - day * DAY };
}

/**
 * The first whole-minute instant in (from, to] whose offset differs from the one at `from`.
 * Caller guarantees the offset at `to` differs; zone changes happen on minute boundaries.
 */
export function offsetChangeBetween(zone: string, from: number, to: number): number {
  const before = offsetAt(zone, from);
  let lo = Math.floor(from / MINUTE); // offset here is `before`
  let hi = Math.ceil(to / MINUTE); // offset here differs
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(zone, mid * MINUTE) === before) lo = mid;
    else hi = mid;
  }
  return Math.max(hi * MINUTE, from + 1);
}

export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
