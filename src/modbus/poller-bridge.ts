import type { Datapoint } from '../plant/datapoint.js';
import { listDatapoints } from '../plant/datapoint-repository.js';
import type { Plc } from '../plant/plc.js';
import type { Db } from '../db/database.js';
import { listPlcs } from '../plant/plc-repository.js';
import type { Hub, LiveValue } from '../hub/hub.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log/logger.js';
import type { ValueSample } from '../kernel/samples.js';
import { createPoller, type PlcStatus, type Poller, type RoundTrips } from './poller.js';
import type { Histogram } from '../ops/histogram.js';
import type { PollFigures } from '../ops/stats.js';
import type { TrendIntake } from '../trend/trend-recorder.js';
import type { LiveState } from '../plant/live-state.js';

export interface PollerBridgeDeps {
  db: Db;
  journal: Journal;
  live: LiveState;
  hub: Hub;
  log: Logger;
  /** The rule engine's intake: one call per poll cycle of one PLC. */
  onSamples(samples: ValueSample[]): void;
  /** Replaces the real worker in tests of the bridge. */
  poller?: (options: Parameters<typeof createPoller>[0]) => Poller;
  /** Which PLCs this node polls: all on a single node, those it holds in a cluster. */
  polls?: (plcId: number) => boolean;
  /** Values for the clients of a cluster's other nodes. */
  shareValues?: (values: LiveValue[]) => void;
  /** Per-minute trends of the values this node polls (SPEC 13). */
  trend?: TrendIntake;
  /** Modbus poll round trips for /metrics, with ROUND_TRIP_BOUNDS_MS as its bounds. */
  roundTrips?: Histogram;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Connects the Modbus poller to the rest of the server: the configuration goes in from the
 * database, values come out to the live state, the `values` topic and the rule engine, and
 * connection changes become journaled `plc_status` events.
 */
export function createPollerBridge(deps: PollerBridgeDeps) {
  const { db, journal, live, hub, log } = deps;

  function onValues(_plcId: number, samples: ValueSample[]) {
    // A poll's samples share one time: turn it into text once, not twice per value.
    let lastMs = Number.NaN;
    let lastIso = '';
    const values = new Array<LiveValue>(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (s.ts !== lastMs) [lastMs, lastIso] = [s.ts, iso(s.ts)!];
      values[i] = { datapoint_id: s.datapoint_id, value: s.value, quality: s.quality, ts: lastIso };
      live.setValue(
        s.datapoint_id,
        s.error === null
          ? { value: s.value, quality: s.quality, ts: lastIso }
          : { value: s.value, quality: s.quality, ts: lastIso, error: s.error },
      );
    }
    hub.publishValues(values);
    deps.shareValues?.(values);
    deps.onSamples(samples);
    deps.trend?.record(samples);
  }

  function onStatus(s: PlcStatus) {
    live.setStatus(s.plc_id, { connected: s.connected, last_ok_at: iso(s.last_ok_at), last_error: s.error });
    journal
      .append([{ topic: 'system', type: 'plc_status', payload: { plc_id: s.plc_id, connected: s.connected, error: s.error } }])
      .catch((err: unknown) => log.error(`journal: plc_status not written: ${String(err)}`));
  }

  const onRoundTrips = (r: RoundTrips) => deps.roundTrips?.merge(r.counts, r.sum_ms);
  const poller = (deps.poller ?? createPoller)({ onValues, onStatus, onRoundTrips, log });

  // Reloads run one at a time, and a burst of edits costs one reload after the current one.
  let reloading: Promise<void> = Promise.resolve();
  let queued = false;
  /** The plant as last read: when the database is away, a node that lost PLCs must still stop polling them. */
  let lastRead: [Plc[], Datapoint[]] | undefined;
  async function readPlant(): Promise<[Plc[], Datapoint[]]> {
    try {
      lastRead = await Promise.all([listPlcs(db), listDatapoints(db)]);
    } catch (err) {
      if (!lastRead) throw err;
      log.warn(`poller: the plant could not be read (${String(err)}); applying the PLCs polled to the plant as last read`);
    }
    return lastRead;
  }
  function reload(): Promise<void> {
    if (queued) return reloading;
    queued = true;
    reloading = reloading
      .then(async () => {
        queued = false;
        const [plcs, points] = await readPlant();
        const polls = deps.polls;
        const polled = polls ? plcs.filter((p) => polls(p.id)) : plcs;
        const polledPoints = polls ? points.filter((d) => polls(d.plc_id)) : points;
        poller.configure(polled, polledPoints);
        const enabled = new Set(polled.filter((p) => p.enabled).map((p) => p.id));
        deps.trend?.polling(new Set(polledPoints.filter((d) => enabled.has(d.plc_id)).map((d) => d.id)));
      })
      .catch((err: unknown) => log.error(`poller: reload failed: ${String(err)}`));
    return reloading;
  }

  return {
    async start() {
      await poller.start();
      await reload();
    },
    reload,
    stop: () => poller.stop(),
    figures: (): PollFigures[] =>
      poller.stats().plcs.map((p) => ({
        plc_id: p.plc_id,
        reads: p.reads,
        errors: p.errors,
        last_latency_ms: p.last_latency_ms,
        avg_latency_ms: p.avg_latency_ms,
      })),
  };
}

export type PollerBridge = ReturnType<typeof createPollerBridge>;
