import { round } from './round.js';

/**
 * The 10-minute windows of the alarm-rate KPIs (SPEC 13), aligned to the clock: a window starts
 * at a multiple of 10 minutes since the epoch (hh:00, hh:10, ... in UTC and in every zone whose
 * offset is a whole or half hour). A window is named by its index, `floor(ms / WINDOW_MS)`.
 */
export const WINDOW_MS = 600_000;

/** ISA-18.2: more than 10 annunciations in 10 minutes is more than an operator can handle. */
export const FLOOD_ABOVE = 10;

export const windowOf = (ms: number): number => Math.floor(ms / WINDOW_MS);

/**
 * Annunciations in each window a period [from, to) touches, partial windows at its edges
 * included: `counts[i]` is window `first + i`'s.
 */
export interface WindowCounts {
  first: number;
  counts: Int32Array;
}

export function emptyWindows(from: number, to: number): WindowCounts {
  const first = windowOf(from);
  return { first, counts: new Int32Array(windowOf(to - 1) - first + 1) };
}

/** Counts annunciation times (ms) into their windows; times outside the period are left out. */
export function countWindows(times: ArrayLike<number>, into: WindowCounts): WindowCounts {
  const { first, counts } = into;
  for (let i = 0; i < times.length; i++) {
    const at = windowOf(times[i]!) - first;
    if (at >= 0 && at < counts.length) counts[at]!++;
  }
  return into;
}

/** The busiest window's count, and the share (0-100) of the period's windows that were floods. */
export function windowFigures({ counts }: WindowCounts): { peak_10min: number; flood_percent: number } {
  let peak = 0;
  let floods = 0;
  for (const n of counts) {
    if (n > peak) peak = n;
    if (n > FLOOD_ABOVE) floods++;
  }
  return { peak_10min: peak, flood_percent: counts.length > 0 ? round((100 * floods) / counts.length, 2) : 0 };
}

/** One point of the per-window series: the window's start and its annunciations. */
export interface WindowPoint {
  t: string;
  annunciated: number;
}

/** Every window of the period, empty ones too, oldest first: a chart's x axis without gaps. */
export function windowSeries({ first, counts }: WindowCounts): WindowPoint[] {
  return Array.from(counts, (annunciated, i) => ({ t: new Date((first + i) * WINDOW_MS).toISOString(), annunciated }));
}
