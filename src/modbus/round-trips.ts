/**
 * Poll round trips counted into fixed buckets in the worker: a read costs one bucket increment,
 * and the counts so far ride on the next message to the main thread, whose histogram merges them.
 */
import { ROUND_TRIP_BOUNDS_MS, type RoundTrips } from './protocol.js';

export interface RoundTripCounter {
  observe(ms: number): void;
  /** The counts since the last take, which start again from zero; undefined when there were none. */
  take(): RoundTrips | undefined;
}

export function createRoundTripCounter(): RoundTripCounter {
  const bounds = ROUND_TRIP_BOUNDS_MS;
  const counts = new Uint32Array(bounds.length + 1);
  let sum = 0;
  let n = 0;
  return {
    observe(ms) {
      let i = 0;
      while (i < bounds.length && ms > bounds[i]!) i++;
      counts[i]!++;
      sum += ms;
      n++;
    },
    take() {
      if (n === 0) return undefined;
      const out = { counts: Array.from(counts), sum_ms: sum };
      counts.fill(0);
      sum = 0;
      n = 0;
      return out;
    },
  };
}
