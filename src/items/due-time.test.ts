import { describe, expect, it } from 'vitest';
import { fire, lastAlarmAt, nextAlarmAt, nextDueAt, timerEndsAt, wallTimeToInstant } from './due-time.js';
import type { ItemInput } from './item.js';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const local = (wall: string) => Date.parse(`${wall}Z`); // a wall-clock time as if the zone were UTC
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

describe('wallTimeToInstant', () => {
  it.each([
    ['Europe/Berlin', '2026-01-15T07:00', '2026-01-15T06:00:00.000Z', 'winter, CET'],
    ['Europe/Berlin', '2026-07-15T07:00', '2026-07-15T05:00:00.000Z', 'summer, CEST'],
    ['Europe/Berlin', '2026-03-29T02:30', '2026-03-29T01:00:00.000Z', 'spring-forward gap: the end of the gap, 03:00 CEST'],
    ['Europe/Berlin', '2026-03-29T03:00', '2026-03-29T01:00:00.000Z', 'the first valid time after the gap'],
    ['Europe/Berlin', '2026-10-25T02:30', '2026-10-25T00:30:00.000Z', 'fall-back overlap: the first of the two, CEST'],
    ['Europe/Berlin', '2026-10-25T03:00', '2026-10-25T02:00:00.000Z', 'after the overlap, CET'],
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:00:00.000Z', 'spring-forward gap: 03:00 EDT'],
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00.000Z', 'fall-back overlap: the first, EDT'],
    ['America/Sao_Paulo', '2018-11-04T00:30', '2018-11-04T03:00:00.000Z', 'a gap at midnight'],
    ['UTC', '2026-03-29T02:30', '2026-03-29T02:30:00.000Z', 'no DST'],
    ['Asia/Kolkata', '2026-03-29T02:30', '2026-03-28T21:00:00.000Z', 'a half-hour offset'],
  ])('%s %s -> %s (%s)', (zone, wall, expected) => {
    expect(iso(wallTimeToInstant(zone, local(wall)))).toBe(expected);
  });
});

describe('nextAlarmAt', () => {
  it.each([
    // [time, days, zone, after, expected, why]
    ['07:00', EVERY_DAY, 'Europe/Berlin', '2026-03-02T05:00:00.000Z', '2026-03-02T06:00:00.000Z', 'later today'],
    ['07:00', EVERY_DAY, 'Europe/Berlin', '2026-03-02T06:00:00.000Z', '2026-03-03T06:00:00.000Z', 'strictly after: tomorrow'],
    ['07:00', [1], 'Europe/Berlin', '2026-03-02T06:00:00.000Z', '2026-03-09T06:00:00.000Z', 'Mondays only: next week'],
    ['07:00', [6, 7], 'Europe/Berlin', '2026-03-02T08:00:00.000Z', '2026-03-07T06:00:00.000Z', 'weekend'],
    [
      '07:00',
      EVERY_DAY,
      'Europe/Berlin',
      '2026-03-28T12:00:00.000Z',
      '2026-03-29T05:00:00.000Z',
      'the morning after spring-forward is CEST',
    ],
    ['07:00', EVERY_DAY, 'Europe/Berlin', '2026-10-24T12:00:00.000Z', '2026-10-25T06:00:00.000Z', 'the morning after fall-back is CET'],
    ['02:30', EVERY_DAY, 'Europe/Berlin', '2026-03-28T12:00:00.000Z', '2026-03-29T01:00:00.000Z', 'in the gap: rings at 03:00 CEST'],
    ['02:30', EVERY_DAY, 'Europe/Berlin', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', 'and the day after as usual'],
    ['02:30', EVERY_DAY, 'Europe/Berlin', '2026-10-24T12:00:00.000Z', '2026-10-25T00:30:00.000Z', 'in the overlap: the first 02:30'],
    [
      '02:30',
      EVERY_DAY,
      'Europe/Berlin',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
      'rings once, not again at the second 02:30',
    ],
    ['02:30', EVERY_DAY, 'America/New_York', '2026-03-07T12:00:00.000Z', '2026-03-08T07:00:00.000Z', 'New York gap: 03:00 EDT'],
    ['01:30', EVERY_DAY, 'America/New_York', '2026-10-31T12:00:00.000Z', '2026-11-01T05:30:00.000Z', 'New York overlap: the first 01:30'],
    ['01:30', EVERY_DAY, 'America/New_York', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', 'then the next day, EST'],
    ['23:30', [1], 'America/New_York', '2026-03-02T12:00:00.000Z', '2026-03-03T04:30:00.000Z', 'Monday in New York is Tuesday in UTC'],
    ['00:30', [7], 'America/Sao_Paulo', '2018-11-01T12:00:00.000Z', '2018-11-04T03:00:00.000Z', 'Sunday whose midnight is skipped'],
  ])('%s on %j in %s after %s -> %s (%s)', (time, days, timezone, after, expected) => {
    expect(iso(nextAlarmAt({ time, days, timezone }, at(after)))).toBe(expected);
  });
});

describe('lastAlarmAt', () => {
  const daily = { time: '07:00', days: EVERY_DAY, timezone: 'Europe/Berlin' };
  it.each([
    ['2026-03-02T06:00:00.000Z', '2026-03-05T12:00:00.000Z', '2026-03-05T06:00:00.000Z', 'the latest of several missed'],
    ['2026-03-02T06:00:00.000Z', '2026-03-03T05:59:59.999Z', null, 'none in between'],
    ['2025-01-01T00:00:00.000Z', '2026-03-05T12:00:00.000Z', '2026-03-05T06:00:00.000Z', 'a long outage'],
  ] as [string, string, string | null, string][])('after %s up to %s -> %s (%s)', (after, upTo, expected) => {
    expect(iso(lastAlarmAt(daily, at(after), at(upTo)))).toBe(expected);
  });
});

describe('timers', () => {
  const timer = (started_at: string | null, enabled = true): ItemInput => ({
    kind: 'timer',
    label: 't',
    enabled,
    timer: { duration_s: 90, started_at },
  });
  const now = at('2026-03-02T08:00:00.000Z');

  it.each([
    ['running', timer('2026-03-02T08:00:00.000Z'), null, '2026-03-02T08:01:30.000Z'],
    ['stopped', timer(null), null, null],
    ['disabled', timer('2026-03-02T08:00:00.000Z', false), null, null],
    ['ended before it was saved: due at once', timer('2026-03-02T07:00:00.000Z'), null, '2026-03-02T07:01:30.000Z'],
    ['already fired for this start', timer('2026-03-02T07:00:00.000Z'), at('2026-03-02T07:01:30.000Z'), null],
    ['restarted after it fired', timer('2026-03-02T08:00:00.000Z'), at('2026-03-02T07:01:30.000Z'), '2026-03-02T08:01:30.000Z'],
  ])('%s', (_why, item, lastDueAt, expected) => {
    expect(iso(nextDueAt(item, now, lastDueAt))).toBe(expected);
  });

  it('ends at start + duration', () => {
    expect(iso(timerEndsAt({ duration_s: 3600, started_at: '2026-03-02T08:00:00.000Z' }))).toBe('2026-03-02T09:00:00.000Z');
  });
});

describe('fire', () => {
  const alarm: ItemInput = {
    kind: 'alarm',
    label: 'a',
    enabled: true,
    alarm: { time: '07:00', days: EVERY_DAY, timezone: 'Europe/Berlin' },
  };
  it.each([
    ['on time', '2026-03-02T06:00:00.000Z', '2026-03-02T06:00:00.000Z', '2026-03-02T06:00:00.000Z', false, '2026-03-03T06:00:00.000Z'],
    [
      'a little after',
      '2026-03-02T06:00:00.000Z',
      '2026-03-02T06:00:04.000Z',
      '2026-03-02T06:00:00.000Z',
      false,
      '2026-03-03T06:00:00.000Z',
    ],
    [
      'after an outage',
      '2026-03-02T06:00:00.000Z',
      '2026-03-02T07:00:00.000Z',
      '2026-03-02T06:00:00.000Z',
      true,
      '2026-03-03T06:00:00.000Z',
    ],
    [
      'after days down: once',
      '2026-03-02T06:00:00.000Z',
      '2026-03-04T09:00:00.000Z',
      '2026-03-04T06:00:00.000Z',
      true,
      '2026-03-05T06:00:00.000Z',
    ],
  ])('%s', (_why, due, now, dueAt, late, next) => {
    const result = fire(alarm, at(due), at(now));
    expect({ dueAt: iso(result.dueAt), late: result.late, next: iso(result.next) }).toEqual({ dueAt, late, next });
  });

  it('a timer fires once', () => {
    const timer: ItemInput = {
      kind: 'timer',
      label: 't',
      enabled: true,
      timer: { duration_s: 60, started_at: '2026-03-02T08:00:00.000Z' },
    };
    expect(fire(timer, at('2026-03-02T08:01:00.000Z'), at('2026-03-02T09:00:00.000Z'))).toEqual({
      dueAt: at('2026-03-02T08:01:00.000Z'),
      late: true,
      next: null,
    });
  });
});
