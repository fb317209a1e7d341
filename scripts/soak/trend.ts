/** The soak's samples and the figures drawn from them: drift (max - min) and least-squares slope. */

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
  threads: number;
  /** process.memoryUsage() and V8's malloc figure inside the server (NaN if it did not answer). */
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  mallocedMemory: number;
  /** Committed V8 young generation (new_space) and old_space of the main thread. */
  newSpace: number;
  oldSpace: number;
  /** The worker threads' (the Modbus poller's) V8 heap, used and total. */
  workerHeapUsed: number;
  workerHeapTotal: number;
  wal: number;
  db: number;
  /** The server's CPU use since the previous sample, in % of one core. */
  cpuPercent: number;
  /** Messages all clients got since the previous sample, per second. */
  messagesPerS: number;
  /** alarm_state events one client got since the previous sample, per second (the average). */
  alarmStatesPerS: number;
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number, digits = 1): string => (Number.isFinite(bytes) ? (bytes / MiB).toFixed(digits) : '-');

/** Least-squares slope of y over x (per unit of x); NaN with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** Of one figure over some samples: max - min and the slope in MiB per 10 minutes. */
export function drift(samples: readonly Sample[], pick: (s: Sample) => number): { range: number; perTenMin: number } {
  const ys = samples.map(pick).filter(Number.isFinite);
  const range = ys.length ? Math.max(...ys) - Math.min(...ys) : NaN;
  const perSecond = slope(samples.filter((s) => Number.isFinite(pick(s))).map((s) => ({ x: s.t, y: pick(s) })));
  return { range: range / MiB, perTenMin: (perSecond * 600) / MiB };
}

/** The samples from the middle of the run on (by time). */
export function secondHalf(samples: readonly Sample[]): Sample[] {
  const end = samples.at(-1)?.t ?? 0;
  return samples.filter((s) => s.t >= end / 2);
}

const COLUMNS: [string, number, (s: Sample) => string][] = [
  ['min', 6, (s) => (s.t / 60).toFixed(1)],
  ['RSS', 7, (s) => mib(s.rss)],
  ['anon', 7, (s) => mib(s.rssAnon)],
  ['file', 6, (s) => mib(s.rssFile)],
  ['heapUsed', 9, (s) => mib(s.heapUsed)],
  ['heapTot', 8, (s) => mib(s.heapTotal)],
  ['new', 6, (s) => mib(s.newSpace)],
  ['old', 6, (s) => mib(s.oldSpace)],
  ['external', 9, (s) => mib(s.external, 2)],
  ['arrayBuf', 9, (s) => mib(s.arrayBuffers, 2)],
  ['wkHeap', 7, (s) => mib(s.workerHeapUsed)],
  ['wkTot', 6, (s) => mib(s.workerHeapTotal)],
  ['thr', 4, (s) => String(s.threads)],
  ['WAL KiB', 8, (s) => (s.wal / 1024).toFixed(0)],
  ['DB KiB', 7, (s) => (s.db / 1024).toFixed(0)],
  ['cpu%', 5, (s) => s.cpuPercent.toFixed(0)],
  ['msg/s', 7, (s) => s.messagesPerS.toFixed(0)],
  ['alarm/s', 8, (s) => s.alarmStatesPerS.toFixed(1)],
];

export const tableHeader = (): string => `${COLUMNS.map(([name, width]) => name.padStart(width)).join(' ')}   (MiB unless named)`;
export const tableRow = (s: Sample): string => COLUMNS.map(([, width, cell]) => cell(s).padStart(width)).join(' ');
