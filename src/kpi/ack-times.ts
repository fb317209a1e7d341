/**
 * How long each annunciation of a rule waited for the acknowledgement that followed it: for each
 * annunciation time, the first ack of the same rule at or after it. One ack answers every
 * annunciation still waiting (an alarm that returned and came back before anyone acked it was
 * waiting since the first). Annunciations not acked within the period are left out. Both lists
 * are ms, ascending; the delays (ms) are pushed onto `into`.
 */
export function ackDelays(annunciations: ArrayLike<number>, acks: ArrayLike<number>, into: number[]): void {
  let next = 0;
  for (let i = 0; i < annunciations.length; i++) {
    const t = annunciations[i]!;
    while (next < acks.length && acks[next]! < t) next++;
    if (next === acks.length) return;
    into.push(acks[next]! - t);
  }
}

/**
 * The nearest-rank percentile (the smallest value with at least p % of the values at or below
 * it) of ascending values; null when there are none. Always one of the values, never a blend.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
