/**
 * An hour of one datapoint's trend packed into one blob (a row of `trend_hours`): 720 rows hold
 * 30 days, where a row per minute would need 43,200 (the measurements are in README, Trends).
 *
 * Layout, little-endian: u8 version (1), u32 x 2 a bitmap of the minutes present (bit i =
 * minute i of the hour), then runs: u8 length, f64 min, f64 max, f32 avg, f64 last, u16 weight
 * (ms), each run standing for `length` consecutive present minutes with the same five numbers.
 * min, max and last are the values read, exactly; avg is a statistic, kept to 7 digits. A value
 * that held all hour (a switch, a setpoint) packs into 40 bytes; one that changed every minute
 * into 1869: under half a 4 KB page, so SQLite stores two hours a page (at 2109 bytes, with avg
 * as f64, it stored one and the table was twice the size).
 */
import { MINUTE_MS } from './minute-aggregator.js';

export const MINUTES_PER_HOUR = 60;
const VERSION = 1;
const HEADER = 9;
const RUN = 31;

/** The 60 minutes of an hour, unpacked; minute i counts only where `present[i]` is 1. */
export interface HourMinutes {
  present: Uint8Array;
  min: Float64Array;
  max: Float64Array;
  avg: Float64Array;
  last: Float64Array;
  weight: Float64Array;
}

export function emptyHour(): HourMinutes {
  const f = () => new Float64Array(MINUTES_PER_HOUR);
  return { present: new Uint8Array(MINUTES_PER_HOUR), min: f(), max: f(), avg: f(), last: f(), weight: f() };
}

/**
 * Puts one minute in, combining with what the hour already has for it (two nodes, or a restart,
 * each wrote part of that minute): the later write's `last` wins, `avg` is weighed by time.
 */
export function addMinute(h: HourMinutes, i: number, min: number, max: number, avg: number, last: number, weight: number): void {
  if (h.present[i] !== 1) {
    h.present[i] = 1;
    h.min[i] = min;
    h.max[i] = max;
    h.avg[i] = avg;
    h.last[i] = last;
    h.weight[i] = weight;
    return;
  }
  const w = h.weight[i]!;
  const total = w + weight;
  h.min[i] = Math.min(h.min[i]!, min);
  h.max[i] = Math.max(h.max[i]!, max);
  h.avg[i] = total > 0 ? (h.avg[i]! * w + avg * weight) / total : avg;
  h.last[i] = last;
  h.weight[i] = total;
}

const same = (h: HourMinutes, a: number, b: number) =>
  h.min[a] === h.min[b] && h.max[a] === h.max[b] && h.avg[a] === h.avg[b] && h.last[a] === h.last[b] && h.weight[a] === h.weight[b];

export function packHour(h: HourMinutes): Uint8Array {
  // Runs as [first minute, length] pairs: a run covers consecutive *present* minutes.
  const runs: number[] = [];
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < MINUTES_PER_HOUR; i++) {
    if (h.present[i] !== 1) continue;
    if (i < 32) lo |= 1 << i;
    else hi |= 1 << (i - 32);
    const n = runs.length;
    if (n > 0 && same(h, runs[n - 2]!, i)) runs[n - 1]!++;
    else runs.push(i, 1);
  }
  const out = new Uint8Array(HEADER + (runs.length / 2) * RUN);
  const view = new DataView(out.buffer);
  view.setUint8(0, VERSION);
  view.setUint32(1, lo >>> 0, true);
  view.setUint32(5, hi >>> 0, true);
  for (let r = 0, at = HEADER; r < runs.length; r += 2, at += RUN) {
    const first = runs[r]!;
    view.setUint8(at, runs[r + 1]!);
    view.setFloat64(at + 1, h.min[first]!, true);
    view.setFloat64(at + 9, h.max[first]!, true);
    view.setFloat32(at + 17, h.avg[first]!, true);
    view.setFloat64(at + 21, h.last[first]!, true);
    view.setUint16(at + 29, Math.min(MINUTE_MS, Math.round(h.weight[first]!)), true);
  }
  return out;
}

/** Calls `visit` for each present minute, in order (`i` the minute of the hour, 0-59). */
export function forEachPackedMinute(
  blob: Uint8Array,
  visit: (i: number, min: number, max: number, avg: number, last: number, weight: number) => void,
): void {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.byteLength < HEADER || view.getUint8(0) !== VERSION) throw new Error('trend: not a packed hour');
  const lo = view.getUint32(1, true);
  const hi = view.getUint32(5, true);
  let i = -1;
  const nextPresent = () => {
    for (i++; i < MINUTES_PER_HOUR; i++) if ((i < 32 ? lo >>> i : hi >>> (i - 32)) & 1) return i;
    throw new Error('trend: packed hour has more runs than minutes');
  };
  for (let at = HEADER; at + RUN <= blob.byteLength; at += RUN) {
    const length = view.getUint8(at);
    const min = view.getFloat64(at + 1, true);
    const max = view.getFloat64(at + 9, true);
    const avg = view.getFloat32(at + 17, true);
    const last = view.getFloat64(at + 21, true);
    const weight = view.getUint16(at + 29, true);
    for (let k = 0; k < length; k++) visit(nextPresent(), min, max, avg, last, weight);
  }
}

export function unpackHour(blob: Uint8Array): HourMinutes {
  const h = emptyHour();
  forEachPackedMinute(blob, (i, min, max, avg, last, weight) => addMinute(h, i, min, max, avg, last, weight));
  return h;
}
