/** Test support: records what a poller reports and waits for a condition instead of sleeping. */
import type { RoundTrips } from './protocol.js';
import type { ValueSample } from '../kernel/samples.js';
import type { PlcStatus } from './samples.js';

export interface Recorder {
  /** Pass as the poller's callbacks. */
  callbacks: {
    onValues(plcId: number, samples: ValueSample[]): void;
    onStatus(status: PlcStatus): void;
    onRoundTrips(roundTrips: RoundTrips): void;
    log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  };
  /** Every onValues call, in order. */
  batches: { plcId: number; samples: ValueSample[] }[];
  statuses: PlcStatus[];
  /** Every onRoundTrips call, in order. */
  roundTrips: RoundTrips[];
  logs: string[];
  /** The last sample seen per datapoint. */
  latest: Map<number, ValueSample>;
  /** Every sample ever seen for a datapoint. */
  history(id: number): ValueSample[];
  /** Resolves when `predicate` holds (checked now and after every report). */
  until(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  lastStatus(plcId: number): PlcStatus | undefined;
}

export function createRecorder(): Recorder {
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };
  const r: Recorder = {
    batches: [],
    statuses: [],
    roundTrips: [],
    logs: [],
    latest: new Map(),
    callbacks: {
      onValues(plcId, samples) {
        r.batches.push({ plcId, samples });
        for (const s of samples) r.latest.set(s.datapoint_id, s);
        notify();
      },
      onStatus(status) {
        r.statuses.push(status);
        notify();
      },
      onRoundTrips(roundTrips) {
        r.roundTrips.push(roundTrips);
        notify();
      },
      log: {
        info: (m) => void r.logs.push(`info ${m}`),
        warn: (m) => void r.logs.push(`warn ${m}`),
        error: (m) => void r.logs.push(`error ${m}`),
      },
    },
    history: (id) => r.batches.flatMap((b) => b.samples.filter((s) => s.datapoint_id === id)),
    lastStatus: (plcId) => r.statuses.filter((s) => s.plc_id === plcId).at(-1),
    until(what, predicate, timeoutMs = 5000) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          const last = JSON.stringify({ statuses: r.statuses.slice(-3), logs: r.logs.slice(-3) });
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last reports: ${last}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
  };
  return r;
}
