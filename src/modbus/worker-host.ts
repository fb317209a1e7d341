/** Everything the poller worker does, minus the worker_threads glue: config, pollers, replies. */
import * as v from 'valibot';
import type { Clock } from '../kernel/clock.js';
import type { ChangeSet } from './change-tracker.js';
import { diffConfig, groupConfig, type PlcConfig } from './config-diff.js';
import type { ConnectPlc } from './plc-connection.js';
import { startPlcPoller, type PlcPoller } from './plc-poller.js';
import { mainToWorkerSchema, type MainToWorker, type WorkerToMain } from './protocol.js';
import { createRoundTripCounter } from './round-trips.js';

export interface WorkerHostDeps {
  post(message: WorkerToMain, transfer?: ArrayBuffer[]): void;
  connect: ConnectPlc;
  clock: Clock;
  monotonic(): number;
  random(): number;
  /** Event-loop utilisation of this thread so far. */
  elu(): { active: number; idle: number };
  /** Honour the `debug` test hooks. */
  debug: boolean;
  /** Called once every socket is closed after a `stop`. */
  stopped(): void;
}

const DEFAULT_RECONNECT_MAX_MS = 30_000;

export function createWorkerHost(deps: WorkerHostDeps): { handle(raw: unknown): void } {
  const pollers = new Map<number, PlcPoller>();
  let current = new Map<number, PlcConfig>();
  let reconnectMaxMs = DEFAULT_RECONNECT_MAX_MS;
  let replies = 0;
  // One for all PLCs: /metrics has a single histogram, and any message may carry the counts.
  const roundTrips = createRoundTripCounter();

  const pollerDeps = {
    connect: deps.connect,
    clock: deps.clock,
    monotonic: deps.monotonic,
    random: deps.random,
    get reconnectMaxMs() {
      return reconnectMaxMs;
    },
    onValues: (plcId: number, ts: number, changes: ChangeSet) => postValues(plcId, ts, changes),
    onStatus: (plcId: number, status: { connected: boolean; last_ok_at: number | null; error: string | null }) =>
      deps.post({ type: 'status', plc_id: plcId, ...status }),
    onReply(ms: number) {
      replies++;
      roundTrips.observe(ms);
    },
  };

  function postValues(plcId: number, ts: number, c: ChangeSet): void {
    const sent_at = performance.timeOrigin + performance.now();
    const message: WorkerToMain = { type: 'values', plc_id: plcId, ts, ...c, sent_at, round_trips: roundTrips.take() };
    // Transfer, not copy: the arrays are built for this one message.
    deps.post(message, [c.ids.buffer, c.values.buffer, c.quality.buffer]);
  }

  function stopPoller(plcId: number): void {
    const poller = pollers.get(plcId);
    pollers.delete(plcId);
    void poller?.stop();
  }

  /** A disabled PLC is reported once: disconnected, every point bad. */
  function postDisabled({ plc, points }: PlcConfig): void {
    const error = 'PLC disabled';
    deps.post({ type: 'status', plc_id: plc.id, connected: false, last_ok_at: null, error });
    if (points.length === 0) return;
    postValues(plc.id, deps.clock.now(), {
      ids: Uint32Array.from(points, (p) => p.id),
      values: new Float64Array(points.length).fill(Number.NaN),
      quality: new Uint8Array(points.length),
      errors: points.map((p) => ({ id: p.id, error })),
    });
  }

  function configure(message: Extract<MainToWorker, { type: 'configure' }>): void {
    reconnectMaxMs = message.reconnect?.maxMs ?? DEFAULT_RECONNECT_MAX_MS;
    const next = groupConfig(message.plcs, message.points);
    for (const change of diffConfig(current, next)) {
      if (change.kind === 'remove') {
        stopPoller(change.plcId);
        continue;
      }
      const { plc, points } = change.config;
      const running = pollers.get(plc.id);
      if (change.kind === 'disable') {
        stopPoller(plc.id);
        postDisabled(change.config);
      } else if (running) {
        running.update(plc, points);
      } else {
        pollers.set(plc.id, startPlcPoller(plc, points, pollerDeps));
      }
    }
    current = next;
  }

  async function stop(): Promise<void> {
    const all = [...pollers.values()];
    pollers.clear();
    await Promise.all(all.map((p) => p.stop()));
    deps.stopped();
  }

  function debugHook(action: 'throw' | 'hang'): void {
    if (!deps.debug) return;
    if (action === 'throw') {
      setImmediate(() => {
        throw new Error('poller worker crash requested by a test');
      });
      return;
    }
    for (;;); // blocks the event loop, so heartbeats go unanswered
  }

  return {
    handle(raw) {
      const parsed = v.safeParse(mainToWorkerSchema, raw);
      if (!parsed.success) {
        const why = parsed.issues.map((i) => `${v.getDotPath(i) ?? ''} ${i.message}`).join('; ');
        deps.post({ type: 'log', level: 'error', message: `poller worker ignored a bad message: ${why}` });
        return;
      }
      const message = parsed.output;
      switch (message.type) {
        case 'configure':
          return configure(message);
        case 'ping': {
          const elu = deps.elu();
          const plcs = [...pollers.values()].map((p) => p.stats());
          const worker = { active_ms: elu.active, idle_ms: elu.idle, replies };
          return deps.post({ type: 'pong', id: message.id, stats: { plcs, worker }, round_trips: roundTrips.take() });
        }
        case 'stop':
          return void stop();
        case 'debug':
          return debugHook(message.action);
      }
    },
  };
}
