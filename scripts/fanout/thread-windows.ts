import { threadCpuMs } from './proc-stats.js';

/**
 * A server's CPU by thread over the windows a bench measures, summed per phase. `counting` wraps
 * the server's CPU counter, whose calls come in pairs (a run's start and its end: pollRun,
 * quietRun), and adds each pair's per-thread difference to the phase set at the time.
 */
export function threadWindows(pid: number) {
  const totals = new Map<string, Map<string, number>>();
  let phase = '';
  let start: Map<string, number> | undefined;

  function mark(): void {
    const now = threadCpuMs(pid);
    if (!start) {
      start = now;
      return;
    }
    const sums = totals.get(phase) ?? new Map<string, number>();
    totals.set(phase, sums);
    for (const [name, ms] of now) sums.set(name, (sums.get(name) ?? 0) + ms - (start.get(name) ?? 0));
    start = undefined;
  }

  return {
    /** Where the windows from now on are summed. */
    phase(name: string): void {
      phase = name;
    },
    counting: (cpuMs: () => number) => (): number => {
      mark();
      return cpuMs();
    },
    /** Each thread's CPU in `a`'s windows less `b`'s, ms (e.g. the rounds with clients less the same polls without). */
    difference(a: string, b: string): Map<string, number> {
      const [x, y] = [totals.get(a) ?? new Map<string, number>(), totals.get(b) ?? new Map<string, number>()];
      return new Map([...new Set([...x.keys(), ...y.keys()])].map((name) => [name, (x.get(name) ?? 0) - (y.get(name) ?? 0)]));
    },
  };
}

/** Threads as "main 563, JITWorker 5, ...", largest first, those within ±1 ms left out. */
export function threadList(ms: Map<string, number>): string {
  return [...ms]
    .filter(([, v]) => Math.abs(v) >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${v.toFixed(0)}`)
    .join(', ');
}
