import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  cachedZoneCount,
  canonicalTimeZone,
  DAY,
  EndTimeOfDay,
  isoWeekdayOf,
  isValidTimeZone,
  offsetAt,
  TimeOfDay,
  timeOfDayMs,
} from './time.js';

/** Every upper/lower-case spelling of `name` (2^letters of them). */
function spellings(name: string): string[] {
  let out = [''];
  for (const ch of name) {
    const cases = ch.toLowerCase() === ch.toUpperCase() ? [ch] : [ch.toLowerCase(), ch.toUpperCase()];
    out = out.flatMap((head) => cases.map((c) => head + c));
  }
  return out;
}

describe('canonicalTimeZone', () => {
  it.each([
    ['europe/berlin', 'Europe/Berlin'],
    ['eUrOpE/bErLiN', 'Europe/Berlin'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['utc', 'UTC'],
    ['america/new_york', 'America/New_York'],
  ])('%s -> %s', (input, canonical) => {
    expect(canonicalTimeZone(input)).toBe(canonical);
    expect(isValidTimeZone(input)).toBe(true);
  });

  it('knows no made-up zone', () => {
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(() => offsetAt('Mars/Olympus_Mons', 0)).toThrow(RangeError);
  });

  it('caches one formatter per zone, however it is spelled', () => {
    const before = cachedZoneCount();
    const all = spellings('europe/berlin');
    expect(all.length).toBe(4096);
    const summer = Date.parse('2026-07-01T00:00:00Z');
    all.forEach((zone, i) => {
      expect(canonicalTimeZone(zone)).toBe('Europe/Berlin');
      if (i % 16 === 0) expect(offsetAt(zone, summer)).toBe(2 * 3_600_000);
    });
    expect(cachedZoneCount()).toBeLessThanOrEqual(before + 1);
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('caches nothing for spellings Intl rejects', () => {
    const before = cachedZoneCount();
    for (let i = 0; i < 1000; i++) expect(isValidTimeZone(`Europe/Nowhere_${i}`)).toBe(false);
    expect(cachedZoneCount()).toBe(before);
  });
});

describe('times of day and weekdays', () => {
  it('reads "HH:MM" as ms since midnight, "24:00" as the whole day', () => {
    expect(timeOfDayMs('00:00')).toBe(0);
    expect(timeOfDayMs('08:30')).toBe(8.5 * 3_600_000);
    expect(timeOfDayMs('24:00')).toBe(DAY);
  });

  it('accepts 24:00 only as an end', () => {
    expect(v.safeParse(TimeOfDay, '24:00').success).toBe(false);
    expect(v.safeParse(EndTimeOfDay, '24:00').success).toBe(true);
    expect(v.safeParse(TimeOfDay, '8:00').success).toBe(false);
  });

  it('counts ISO weekdays from 1970-01-01, a Thursday', () => {
    expect(isoWeekdayOf(0)).toBe(4);
    expect(isoWeekdayOf(Date.UTC(2026, 2, 2) / DAY)).toBe(1); // a Monday
    expect(isoWeekdayOf(-1)).toBe(3);
  });
});
