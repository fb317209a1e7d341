/**
 * Wall-clock time: "HH:MM" times of day, ISO weekdays, and UTC offsets of IANA zones via Intl
 * (no Node APIs: runs on Bun and in browsers).
 */
import * as v from 'valibot';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** A time of day "HH:MM", 00:00 to 23:59. */
export const TimeOfDay = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time "HH:MM" from 00:00 to 23:59'));

/** The end of a period of the day: as TimeOfDay, or "24:00" for midnight at its end. */
export const EndTimeOfDay = v.pipe(v.string(), v.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time "HH:MM" from 00:00 to 24:00'));

/** An ISO weekday: 1 = Monday .. 7 = Sunday. */
export const IsoWeekday = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(7));

/** "HH:MM" (a TimeOfDay or EndTimeOfDay) as ms since midnight; "24:00" is DAY. */
export function timeOfDayMs(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return (Number(h) * 60 + Number(m)) * MINUTE;
}

/** The ISO weekday of a day counted from 1970-01-01, a Thursday (ISO 4). */
export function isoWeekdayOf(day: number): number {
  return mod(day + 3, 7) + 1;
}

// Constructing a DateTimeFormat costs tens of microseconds and ~27 KB; formatting with one ~1 µs.
// Keyed only by canonical names, so however a zone is spelled the cache stays one per real zone.
const formats = new Map<string, Intl.DateTimeFormat>();

const OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

/** The cached formatter of a zone, by any spelling Intl accepts; undefined for unknown zones. */
function lookup(zone: string): Intl.DateTimeFormat | undefined {
  const cached = formats.get(zone);
  if (cached !== undefined) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { ...OPTIONS, timeZone: zone });
  } catch {
    return undefined;
  }
  const canonical = format.resolvedOptions().timeZone;
  const existing = formats.get(canonical);
  if (existing !== undefined) return existing;
  formats.set(canonical, format);
  return format;
}

function formatFor(zone: string): Intl.DateTimeFormat {
  const format = lookup(zone);
  if (format === undefined) throw new RangeError(`unknown time zone ${JSON.stringify(zone)}`);
  return format;
}

/**
 * The zone's canonical name as Intl resolves it (`europe/berlin` -> `Europe/Berlin`; on Node 20
 * links resolve too, `US/Pacific` -> `America/Los_Angeles`), or undefined when Intl does not know it.
 */
export function canonicalTimeZone(zone: string): string | undefined {
  if (formats.has(zone)) return zone; // the keys are canonical
  return lookup(zone)?.resolvedOptions().timeZone;
}

/** Whether Intl knows the zone (for validators; the engine expects valid zones). */
export function isValidTimeZone(zone: string): boolean {
  return lookup(zone) !== undefined;
}

/** Formatters cached: at most one per canonical zone (tests check the bound). */
export function cachedZoneCount(): number {
  return formats.size;
}

/** Milliseconds to add to the UTC instant `t` to get wall-clock time in `zone`. */
export function offsetAt(zone: string, t: number): number {
  let year = 0,
    month = 1,
    day = 1,
    hour = 0,
    minute = 0,
    second = 0;
  for (const part of formatFor(zone).formatToParts(t)) {
    const n = Number(part.value);
    switch (part.type) {
      case 'year':
        year = n;
        break;
      case 'month':
        month = n;
        break;
      case 'day':
        day = n;
        break;
      case 'hour':
        hour = n === 24 ? 0 : n;
        break; // older engines print midnight as 24 despite h23
      case 'minute':
        minute = n;
        break;
      case 'second':
        second = n;
        break;
      default:
        break;
    }
  }
  const wholeSecond = t - mod(t, 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecond;
}

/** Wall-clock weekday (ISO, 1 = Monday) and time of day in ms for `t` in `zone`. */
export function wallClock(zone: string, t: number): { weekday: number; msOfDay: number } {
  const local = t + offsetAt(zone, t);
  const day = Math.floor(local / DAY);
  return { weekday: isoWeekdayOf(day), msOfDay: local - day * DAY };
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
