import { describe, expect, it } from 'vitest';
import { compileSchedule, isScheduleActive, nextScheduleEdge } from './schedule.js';
import type { ScheduleWindow } from './types.js';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const sched = (timezone: string, ...windows: ScheduleWindow[]) => compileSchedule({ timezone, windows });
const WEEKDAYS = [1, 2, 3, 4, 5];
const ALL = [1, 2, 3, 4, 5, 6, 7];

/** The next `n` edges after `from`, as ISO strings. */
function edges(s: ReturnType<typeof sched>, from: string, n: number): (string | null)[] {
  const out: (string | null)[] = [];
  let t: number | null = at(from);
  for (let i = 0; i < n && t !== null; i++) out.push(iso((t = nextScheduleEdge(s, t))));
  return out;
}

describe('isScheduleActive', () => {
  const office = sched('Europe/Berlin', { days: WEEKDAYS, start: '08:00', end: '17:00' });
  const night = sched('UTC', { days: [5], start: '22:00', end: '06:00' }); // Friday night
  const evening = sched('UTC', { days: [1], start: '18:00', end: '24:00' });
  it.each([
    ['office: Monday 09:00 Berlin', office, '2025-01-06T08:00:00Z', true],
    ['office: Monday 07:59 Berlin', office, '2025-01-06T06:59:00Z', false],
    ['office: Monday 17:00 Berlin (end excluded)', office, '2025-01-06T16:00:00Z', false],
    ['office: Saturday 10:00 Berlin', office, '2025-01-11T09:00:00Z', false],
    ['office: summer time, Monday 08:00 CEST', office, '2025-07-07T06:00:00Z', true],
    ['night: Friday 23:00', night, '2025-01-10T23:00:00Z', true],
    ['night: Saturday 05:59 belongs to Friday', night, '2025-01-11T05:59:59Z', true],
    ['night: Saturday 06:00', night, '2025-01-11T06:00:00Z', false],
    ['night: Saturday 23:00', night, '2025-01-11T23:00:00Z', false],
    ['night: Friday 03:00 would be Thursday night', night, '2025-01-10T03:00:00Z', false],
    ['evening: Monday 23:59 (end 24:00)', evening, '2025-01-06T23:59:59Z', true],
    ['evening: Tuesday 00:00', evening, '2025-01-07T00:00:00Z', false],
  ] as const)('%s', (_name, s, t, expected) => {
    expect(isScheduleActive(s, at(t))).toBe(expected);
  });
});

describe('nextScheduleEdge', () => {
  it('finds the end of the current window and the start of the next', () => {
    const office = sched('Europe/Berlin', { days: WEEKDAYS, start: '08:00', end: '17:00' });
    expect(edges(office, '2025-01-06T08:00:00Z', 2)).toEqual(['2025-01-06T16:00:00.000Z', '2025-01-07T07:00:00.000Z']);
    // Friday evening: the next start is Monday morning
    expect(edges(office, '2025-01-10T17:30:00Z', 1)).toEqual(['2025-01-13T07:00:00.000Z']);
  });

  it('is null when activity never changes', () => {
    expect(nextScheduleEdge(sched('UTC', { days: ALL, start: '00:00', end: '24:00' }), 0)).toBeNull();
    expect(nextScheduleEdge(sched('UTC'), 0)).toBeNull();
    expect(nextScheduleEdge(sched('UTC', { days: [], start: '08:00', end: '09:00' }), 0)).toBeNull();
  });

  it('joins windows that touch across midnight into one active span', () => {
    const s = sched('UTC', { days: [1], start: '20:00', end: '24:00' }, { days: [2], start: '00:00', end: '02:00' });
    expect(edges(s, '2025-01-06T12:00:00Z', 2)).toEqual(['2025-01-06T20:00:00.000Z', '2025-01-07T02:00:00.000Z']);
  });

  it('crosses midnight on the start day', () => {
    const night = sched('UTC', { days: [5], start: '22:00', end: '06:00' });
    expect(edges(night, '2025-01-06T00:00:00Z', 2)).toEqual(['2025-01-10T22:00:00.000Z', '2025-01-11T06:00:00.000Z']);
  });
});

describe('schedules across DST', () => {
  it('Europe/Berlin spring forward: a 01:00-05:00 window lasts three real hours', () => {
    const s = sched('Europe/Berlin', { days: [7], start: '01:00', end: '05:00' });
    expect(edges(s, '2025-03-29T23:30:00Z', 2)).toEqual(['2025-03-30T00:00:00.000Z', '2025-03-30T03:00:00.000Z']);
  });

  it('Europe/Berlin spring forward: a window ending inside the gap ends at the jump', () => {
    const s = sched('Europe/Berlin', { days: [7], start: '00:00', end: '02:30' });
    expect(edges(s, '2025-03-29T23:30:00Z', 1)).toEqual(['2025-03-30T01:00:00.000Z']);
  });

  it('Europe/Berlin spring forward: a window inside the gap does not happen that day', () => {
    const s = sched('Europe/Berlin', { days: [7], start: '02:15', end: '02:45' });
    expect(isScheduleActive(s, at('2025-03-30T01:15:00Z'))).toBe(false);
    expect(edges(s, '2025-03-29T12:00:00Z', 1)).toEqual(['2025-04-06T00:15:00.000Z']);
  });

  it('Europe/Berlin: a daily window keeps its wall-clock time across the change', () => {
    const s = sched('Europe/Berlin', { days: ALL, start: '08:00', end: '09:00' });
    expect(edges(s, '2025-03-29T08:00:00Z', 2)).toEqual(['2025-03-30T06:00:00.000Z', '2025-03-30T07:00:00.000Z']);
  });

  it('Europe/Berlin fall back: a 02:30-04:00 window happens twice around the repeated hour', () => {
    const s = sched('Europe/Berlin', { days: [7], start: '02:30', end: '04:00' });
    expect(edges(s, '2025-10-26T00:00:00Z', 4)).toEqual([
      '2025-10-26T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T01:00:00.000Z', // 03:00 CEST becomes 02:00 CET
      '2025-10-26T01:30:00.000Z', // 02:30 CET
      '2025-10-26T03:00:00.000Z', // 04:00 CET
    ]);
  });

  it('America/New_York spring forward', () => {
    const s = sched('America/New_York', { days: [7], start: '01:00', end: '03:30' });
    expect(isScheduleActive(s, at('2025-03-09T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(edges(s, '2025-03-09T06:30:00Z', 1)).toEqual(['2025-03-09T07:30:00.000Z']); // 03:30 EDT
  });

  it('America/New_York fall back: the repeated 01:30-02:00 happens twice', () => {
    const s = sched('America/New_York', { days: [7], start: '01:30', end: '02:00' });
    expect(edges(s, '2025-11-02T05:00:00Z', 4)).toEqual([
      '2025-11-02T05:30:00.000Z', // 01:30 EDT
      '2025-11-02T06:00:00.000Z', // 02:00 EDT becomes 01:00 EST
      '2025-11-02T06:30:00.000Z', // 01:30 EST
      '2025-11-02T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('America/New_York: a Saturday night window across spring forward', () => {
    const s = sched('America/New_York', { days: [6], start: '22:00', end: '06:00' });
    expect(edges(s, '2025-03-08T12:00:00Z', 2)).toEqual(['2025-03-09T03:00:00.000Z', '2025-03-09T10:00:00.000Z']);
  });

  it('rejects an unknown zone when compiled', () => {
    expect(() => sched('Mars/Olympus_Mons', { days: ALL, start: '00:00', end: '01:00' })).toThrow(RangeError);
  });
});
