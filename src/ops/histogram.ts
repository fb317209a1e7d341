/** A latency histogram in Prometheus's shape: cumulative buckets, a sum and a count. */
export interface Histogram {
  readonly name: string;
  readonly help: string;
  observe(ms: number): void;
  /**
   * Adds counts observed elsewhere (the poller worker) against the same bounds: one count per
   * bound, not cumulative, then the count above the last bound; and their sum in ms.
   */
  merge(counts: readonly number[], sumMs: number): void;
  /** `le` bounds in ms with their cumulative counts, then the sum and the count. */
  snapshot(): { buckets: [le: number, count: number][]; sum: number; count: number };
}

/** Milliseconds, from a fast loopback answer to a request that hit a time-out. */
const BOUNDS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export function createHistogram(name: string, help: string, bounds: readonly number[] = BOUNDS_MS): Histogram {
  const counts = new Array<number>(bounds.length).fill(0);
  let sum = 0;
  let count = 0;
  return {
    name,
    help,
    observe(ms) {
      sum += ms;
      count++;
      for (let i = 0; i < bounds.length; i++) {
        if (ms <= bounds[i]!) {
          counts[i]!++;
          return;
        }
      }
    },
    merge(part, partSum) {
      if (part.length !== bounds.length + 1) throw new RangeError(`${name}: ${part.length} counts for ${bounds.length} bounds and +Inf`);
      for (let i = 0; i < part.length; i++) {
        const n = part[i]!;
        if (i < bounds.length) counts[i]! += n;
        count += n;
      }
      sum += partSum;
    },
    snapshot() {
      let running = 0;
      return { buckets: bounds.map((le, i) => [le, (running += counts[i]!)]), sum, count };
    },
  };
}

/** The histograms in the text exposition format (seconds, as Prometheus names them `_seconds`). */
export function histogramLines(h: Histogram): string[] {
  const { buckets, sum, count } = h.snapshot();
  return [
    `# HELP ${h.name} ${h.help}`,
    `# TYPE ${h.name} histogram`,
    ...buckets.map(([le, n]) => `${h.name}_bucket{le="${le / 1000}"} ${n}`),
    `${h.name}_bucket{le="+Inf"} ${count}`,
    `${h.name}_sum ${sum / 1000}`,
    `${h.name}_count ${count}`,
  ];
}
