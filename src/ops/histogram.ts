/** A latency histogram in Prometheus's shape: cumulative buckets, a sum and a count. */
export interface Histogram {
  readonly name: string;
  readonly help: string;
  observe(ms: number): void;
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
