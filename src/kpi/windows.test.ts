import { describe, expect, it } from 'vitest';
import { countWindows, emptyWindows, windowFigures, windowOf, windowSeries } from './windows.js';

const at = (iso: string) => Date.parse(iso);

describe('10-minute windows aligned to the clock', () => {
  it.each([
    ['2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T08:09:59.999Z', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T08:10:00.000Z', '2026-12-01T08:10:00.000Z'],
    ['2026-12-01T08:17:30.000+05:30', '2026-12-01T02:40:00.000Z'], // 08:10 local in India
  ])('%s falls in the window starting %s', (time, start) => {
    expect(windowOf(at(time))).toBe(windowOf(at(start)));
    expect(new Date(windowOf(at(time)) * 600_000).toISOString()).toBe(start);
  });

  it('counts the partial windows at both edges of a period that is not aligned', () => {
    const unaligned = emptyWindows(at('2026-12-01T08:05:00Z'), at('2026-12-01T09:05:00Z'));
    expect(unaligned.counts.length).toBe(7);
    expect(unaligned.first).toBe(windowOf(at('2026-12-01T08:00:00Z')));
    expect(emptyWindows(at('2026-12-01T08:00:00Z'), at('2026-12-01T09:00:00Z')).counts.length).toBe(6);
  });

  it('finds the peak and the share of windows with more than 10 annunciations', () => {
    const from = at('2026-12-01T08:00:00Z');
    const to = at('2026-12-01T09:00:00Z'); // six windows
    const times = [
      ...Array.from({ length: 11 }, (_, i) => from + i * 1000), // 08:00: 11, a flood
      ...Array.from({ length: 10 }, (_, i) => at('2026-12-01T08:10:00Z') + i * 1000), // 08:10: 10, not one
      ...Array.from({ length: 12 }, (_, i) => at('2026-12-01T08:59:00Z') + i * 1000), // 08:50: 12, a flood
      at('2026-12-01T09:00:00Z'), // the next window, outside the period
    ];
    expect(windowFigures(countWindows(times, emptyWindows(from, to)))).toEqual({ peak_10min: 12, flood_percent: 33.33 });
    expect(windowFigures(emptyWindows(from, to))).toEqual({ peak_10min: 0, flood_percent: 0 });
  });

  it('lists every window of the period, empty ones too, oldest first', () => {
    const times = [at('2026-12-01T08:12:00Z'), at('2026-12-01T08:19:00Z'), at('2026-12-01T08:31:00Z'), at('2026-12-01T08:40:00Z')];
    expect(windowSeries(countWindows(times, emptyWindows(at('2026-12-01T08:05:00Z'), at('2026-12-01T08:40:00Z'))))).toEqual([
      { t: '2026-12-01T08:00:00.000Z', annunciated: 0 },
      { t: '2026-12-01T08:10:00.000Z', annunciated: 2 },
      { t: '2026-12-01T08:20:00.000Z', annunciated: 0 },
      { t: '2026-12-01T08:30:00.000Z', annunciated: 1 },
    ]);
  });
});
