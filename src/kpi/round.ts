/** Rounds a figure for the JSON: a rate to 0.01 reads better than to 15 digits, and compares in tests. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
