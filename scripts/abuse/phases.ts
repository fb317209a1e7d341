/**
 * The run's phases as wall-clock windows, with what the server's own thread did in each: its
 * event-loop busy share and its loop delay (how late a timer fired). Those two tell a stall of
 * the server's loop apart from a slow socket or a busy client; the probe's samples are sorted
 * into the windows afterwards, by time. Garbage collection pauses of the server's thread are
 * counted apart, since a loop stall may be the collector's rather than the code's.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { wallNow } from '../fanout/wall-clock.js';

export interface Phase {
  name: string;
  start: number;
  end: number;
  /** the server thread's event-loop busy share, 0..1 */
  serverLoopBusy: number;
  /** the server thread's event-loop delay, ms */
  loopDelayP99: number;
  loopDelayMax: number;
  /** process CPU (every thread: server, poller, client workers) per wall second, in cores */
  processCores: number;
  /** the server thread's GC pauses: their sum and the longest, ms */
  gcMs: number;
  gcMaxMs: number;
}

export function phaseClock() {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const gcs: { at: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const phases: Phase[] = [];
  return {
    phases,
    stop: () => {
      observer.disconnect();
      delay.disable();
    },
    /** Runs `body` as one phase; it lasts at least `minMs`. */
    async run<T>(name: string, minMs: number, body: () => Promise<T>): Promise<T> {
      const start = wallNow();
      const elu = performance.eventLoopUtilization();
      const cpu = process.cpuUsage();
      delay.reset();
      const result = await body();
      const left = start + minMs - wallNow();
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
      const end = wallNow();
      const used = process.cpuUsage(cpu);
      const pauses = gcs.filter((g) => g.at >= start && g.at < end).map((g) => g.ms);
      phases.push({
        name,
        start,
        end,
        serverLoopBusy: performance.eventLoopUtilization(elu).utilization,
        loopDelayP99: delay.percentile(99) / 1e6,
        loopDelayMax: delay.max / 1e6,
        processCores: (used.user + used.system) / 1000 / (end - start),
        gcMs: pauses.reduce((a, b) => a + b, 0),
        gcMaxMs: pauses.reduce((a, b) => Math.max(a, b), 0),
      });
      return result;
    },
  };
}
