/** The main-thread face of Modbus polling: a supervised worker turned into plain callbacks. */
import type { Worker } from 'node:worker_threads';
import * as v from 'valibot';
import { systemClock, type Clock } from '../kernel/clock.js';
import {
  plcSchema,
  pointSchema,
  type PlcPollStats,
  type PollerPlc,
  type PollerPoint,
  type RoundTrips,
  type WorkerStats,
} from './protocol.js';
import type { ValueSample } from '../kernel/samples.js';
import { badSamples, samplesFromMessage, type PlcStatus } from './samples.js';
import { spawnPollerWorker } from './worker-spawn.js';
import { createSupervisor } from './worker-supervisor.js';

export type { PlcPollStats, PollerPlc, PollerPoint, RoundTrips, WorkerStats } from './protocol.js';
export type { PlcStatus } from './samples.js';

export interface PollerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PollerOptions {
  /** One call per poll cycle per PLC, with only the points whose value or quality changed. */
  onValues(plcId: number, samples: ValueSample[]): void;
  /** On every change of a PLC's connection state or error. */
  onStatus(status: PlcStatus): void;
  /** Poll round trips since the worker's last report, bucketed by ROUND_TRIP_BOUNDS_MS. */
  onRoundTrips?(roundTrips: RoundTrips): void;
  log: PollerLog;
  /** Ping interval; a worker that misses one ping is restarted. Default 5000. */
  heartbeatMs?: number;
  /** Worker restart delay: full jitter between baseMs and min(maxMs, baseMs * 2^n). */
  restartBackoff?: { baseMs?: number; maxMs?: number };
  /** Upper bound of the per-PLC reconnect backoff. Default 30000. */
  reconnectMaxMs?: number;
  /** Starts the worker; tests wrap it to reach the Worker instance. */
  spawn?: () => Worker;
  /** For the time stamps of bad samples when the worker is lost, and the supervisor's timers. */
  clock?: Clock;
}

export interface PollerStats {
  plcs: PlcPollStats[];
  /** As of the last heartbeat; null before the first. */
  worker: WorkerStats | null;
  restarts: number;
}

export interface Poller {
  start(): Promise<void>;
  /** Replaces the whole configuration; applied by the running worker without a restart. */
  configure(plcs: PollerPlc[], points: PollerPoint[]): void;
  stop(): Promise<void>;
  stats(): PollerStats;
}

export function createPoller(options: PollerOptions): Poller {
  const { log } = options;
  const clock = options.clock ?? systemClock();
  let config: { plcs: PollerPlc[]; points: PollerPoint[] } = { plcs: [], points: [] };
  let lastStats: Omit<PollerStats, 'restarts'> = { plcs: [], worker: null };
  const lastOkAt = new Map<number, number | null>();

  // Listener callbacks must never throw into the poller.
  const safely = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      log.error(`poller: ${what} callback threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const roundTrips = (r: RoundTrips | undefined): void => {
    const merge = options.onRoundTrips;
    if (r !== undefined && merge !== undefined) safely('onRoundTrips', () => merge(r));
  };

  const sendConfig = (): void => supervisor.send({ type: 'configure', ...config, reconnect: { maxMs: options.reconnectMaxMs ?? 30_000 } });

  const supervisor = createSupervisor({
    spawn: options.spawn ?? (() => spawnPollerWorker()),
    heartbeatMs: options.heartbeatMs ?? 5000,
    startTimeoutMs: 15_000,
    restartBackoff: { baseMs: options.restartBackoff?.baseMs ?? 500, maxMs: options.restartBackoff?.maxMs ?? 30_000 },
    stopTimeoutMs: 1000,
    clock,
    random: Math.random,
    log,
    onUp: sendConfig,
    onPong(m) {
      lastStats = m.stats;
      roundTrips(m.round_trips);
    },
    onMessage(m) {
      switch (m.type) {
        case 'values':
          // First: whatever these values cause, their reads are in the histogram by then.
          roundTrips(m.round_trips);
          return safely('onValues', () => options.onValues(m.plc_id, samplesFromMessage(m)));
        case 'status':
          lastOkAt.set(m.plc_id, m.last_ok_at);
          return safely('onStatus', () =>
            options.onStatus({ plc_id: m.plc_id, connected: m.connected, last_ok_at: m.last_ok_at, error: m.error }),
          );
        case 'log':
          return log[m.level](`poller worker: ${m.message}`);
      }
    },
    onDown() {
      const error = 'poller restarting';
      const ts = clock.now();
      for (const plc of config.plcs) {
        const ids = config.points.filter((p) => p.plc_id === plc.id).map((p) => p.id);
        const status = { plc_id: plc.id, connected: false, last_ok_at: lastOkAt.get(plc.id) ?? null, error };
        safely('onStatus', () => options.onStatus(status));
        if (ids.length > 0) safely('onValues', () => options.onValues(plc.id, badSamples(ids, ts, error)));
      }
    },
  });

  return {
    start: () => supervisor.start(),
    configure(plcs, points) {
      config = { plcs: valid('PLC', plcSchema, plcs, log), points: valid('datapoint', pointSchema, points, log) };
      sendConfig();
    },
    stop: () => supervisor.stop(),
    stats: () => ({ ...lastStats, restarts: supervisor.restarts() }),
  };
}

/** Keeps the entries that parse; a bad row is logged and skipped rather than thrown. */
function valid<T>(what: string, schema: v.GenericSchema<unknown, T>, rows: readonly unknown[], log: PollerLog): T[] {
  const out: T[] = [];
  for (const row of rows) {
    const parsed = v.safeParse(schema, row);
    if (parsed.success) out.push(parsed.output);
    else log.warn(`poller: skipped ${what} ${JSON.stringify(row)}: ${parsed.issues[0]?.message ?? 'invalid'}`);
  }
  return out;
}
