import * as v from 'valibot';
/** Minutes merged into the buckets a trend answers with: at most 2000, wider for long ranges (SPEC 13). */
import { MINUTE_MS } from './minute-aggregator.js';

export const MAX_BUCKETS = 2000;
/** Bucket widths in minutes: round figures a chart's time axis lines up with. */
const WIDTHS = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080];

/** One bucket of a trend, as the API shows it: `t` is the ISO start of the bucket. */
export const TrendBucket = v.strictObject({ t: v.string(), min: v.number(), max: v.number(), avg: v.number(), last: v.number() });
export type TrendBucket = v.InferOutput<typeof TrendBucket>;

/**
 * The narrowest width whose buckets, aligned to multiples of it since the epoch (UTC), cover
 * the minutes [fromMinute, toMinute) in at most MAX_BUCKETS.
 */
export function bucketWidth(fromMinute: number, toMinute: number): number {
  for (const width of WIDTHS) {
    const origin = Math.floor(fromMinute / width) * width;
    if (Math.ceil((toMinute - origin) / width) <= MAX_BUCKETS) return width;
  }
  throw new RangeError(`a trend of ${toMinute - fromMinute} minutes is longer than any bucket width allows`);
}

/**
 * Merges minutes into buckets: min of the mins, max of the maxes, avg weighed by each minute's
 * good time, last of the latest minute. Minutes may come in any order (packed hours and recent
 * minutes are read apart); those outside [fromMinute, toMinute) are ignored. A minute may come
 * twice (part of it written late, after its hour was packed): its `fresh` part, not yet packed,
 * was written later, and its last wins.
 */
export function createBucketMerger(fromMinute: number, toMinute: number) {
  const width = bucketWidth(fromMinute, toMinute);
  const origin = Math.floor(fromMinute / width) * width;
  const n = Math.max(0, Math.ceil((toMinute - origin) / width));
  const min = new Float64Array(n).fill(Infinity);
  const max = new Float64Array(n).fill(-Infinity);
  const weighted = new Float64Array(n);
  const weight = new Float64Array(n);
  /** Plain sum and count of the minutes' avgs: the avg when no minute has any weight. */
  const plain = new Float64Array(n);
  const minutes = new Float64Array(n);
  const last = new Float64Array(n);
  const lastMinute = new Float64Array(n).fill(-Infinity);

  return {
    /** Minutes per bucket. */
    width,
    add(minute: number, mn: number, mx: number, avg: number, lst: number, w: number, fresh = false): void {
      if (minute < fromMinute || minute >= toMinute) return;
      const b = Math.floor((minute - origin) / width);
      if (mn < min[b]!) min[b] = mn;
      if (mx > max[b]!) max[b] = mx;
      weighted[b]! += avg * w;
      weight[b]! += w;
      plain[b]! += avg;
      minutes[b]!++;
      const at = fresh ? minute + 0.5 : minute;
      if (at >= lastMinute[b]!) {
        lastMinute[b] = at;
        last[b] = lst;
      }
    },
    /** The buckets that got a minute, oldest first. */
    buckets(): TrendBucket[] {
      const out: TrendBucket[] = [];
      for (let b = 0; b < n; b++) {
        if (minutes[b] === 0) continue;
        out.push({
          t: new Date((origin + b * width) * MINUTE_MS).toISOString(),
          min: min[b]!,
          max: max[b]!,
          avg: weight[b]! > 0 ? weighted[b]! / weight[b]! : plain[b]! / minutes[b]!,
          last: last[b]!,
        });
      }
      return out;
    },
  };
}
