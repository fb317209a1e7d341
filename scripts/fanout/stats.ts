/** Small number helpers for the printed figures. */

/** The q-quantile (0..1) with linear interpolation; NaN for an empty list. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const ms = (x: number, digits = 1): string => `${x.toFixed(digits)} ms`;
export const int = (x: number): string => Math.round(x).toLocaleString('en');

/** "p50 X ms, p99 Y ms" for a list of millisecond samples. */
export const p50p99 = (xs: readonly number[]): string => `p50 ${ms(percentile(xs, 0.5))}, p99 ${ms(percentile(xs, 0.99))}`;

/** A signed difference, for overhead lines. */
export const plusMs = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
