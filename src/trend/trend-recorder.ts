/**
 * The trend's lifecycle (SPEC 13): takes every value this node polls, writes each finished
 * minute of all datapoints in one transaction a little after the minute ends, then packs
 * finished hours and prunes what is older than TREND_DAYS. Every timer is the clock's.
 */
import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import type { ValueSample } from '../kernel/samples.js';
import { createMinuteAggregator, type MinuteRows } from './minute-aggregator.js';
import { HOUR_MS, packFinishedHours, pruneTrends } from './trend-maintenance.js';
import { minuteWriter } from './trend-writes.js';

/** After a minute ends, its write waits this long: values read just before the end have arrived. */
const FLUSH_DELAY_MS = 2000;
/**
 * Finished minutes kept while the database refuses them, retried every minute: half an hour,
 * ~150 MB for 100k datapoints. Older ones are dropped, with an error logged.
 */
const MAX_PENDING = 30;
const DAY_MS = 86_400_000;
/** Shutdown waits this long at most for the last writes (a database that stopped answering). */
const STOP_WAIT_MS = 5000;

/** What the poller bridge feeds: values as polled, and which datapoints this node polls now. */
export interface TrendIntake {
  record(samples: readonly ValueSample[]): void;
  polling(datapointIds: ReadonlySet<number>): void;
}

export interface TrendRecorderDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  trendDays: number;
}

export function createTrendRecorder({ db, clock, log, trendDays }: TrendRecorderDeps) {
  const write = minuteWriter(db);
  const aggregator = createMinuteAggregator(clock.now());
  const pending: MinuteRows[] = [];
  let timer: unknown;
  let stopped = true;
  let working: Promise<void> | undefined;
  /** The cutoff hour of the last pruning: pruning runs when it moves, hourly. */
  let prunedBefore = Number.NaN;

  function closeEnded(now: number) {
    const rows = aggregator.closeEnded(now);
    if (!rows || rows.count === 0) return;
    pending.push(rows);
    if (pending.length > MAX_PENDING) {
      const lost = pending.shift()!;
      log.error(
        `trend: minute ${new Date(lost.minute * 60_000).toISOString()} dropped, the database has refused writes for ${MAX_PENDING} minutes`,
      );
    }
  }

  function arm() {
    timer = clock.setTimer(aggregator.minuteEnd + FLUSH_DELAY_MS, function trendMinuteEnded() {
      timer = undefined;
      closeEnded(clock.now());
      arm();
      kick();
    });
  }

  function kick() {
    working ??= drain().finally(() => (working = undefined));
  }

  /** Writes the finished minutes in order, then packs and prunes; a failed write waits for the next minute. */
  async function drain(): Promise<void> {
    while (!stopped && pending.length > 0) {
      try {
        await write(pending[0]!);
        pending.shift();
      } catch (err) {
        log.error(
          `trend: writing minute ${new Date(pending[0]!.minute * 60_000).toISOString()} failed, retrying next minute: ${String(err)}`,
        );
        return;
      }
    }
    if (stopped) return;
    try {
      await maintain(clock.now());
    } catch (err) {
      if (!stopped) log.error(`trend: packing or pruning failed, retrying next minute: ${String(err)}`);
    }
  }

  /** Prunes (hourly) and packs; a stop ends either between two of its transactions. */
  async function maintain(now: number) {
    const going = () => !stopped;
    const cutoff = now - trendDays * DAY_MS;
    if (Math.floor(cutoff / HOUR_MS) !== prunedBefore) {
      const n = await pruneTrends(db, cutoff, going);
      if (going()) prunedBefore = Math.floor(cutoff / HOUR_MS);
      if (n > 0) log.info(`trend: pruned ${n} rows older than ${new Date(cutoff).toISOString()}`);
    }
    await packFinishedHours(db, now, going);
  }

  return {
    /** The poller's values, as they reach the main thread: one clock reading per batch. */
    record(samples: readonly ValueSample[]): void {
      const now = clock.now();
      closeEnded(now);
      for (const s of samples) aggregator.sample(s.datapoint_id, s.quality === 'good' ? s.value : null, now);
    },
    polling(datapointIds: ReadonlySet<number>): void {
      aggregator.keepOnly(datapointIds);
    },
    /** Resolves once nothing is being written, packed or pruned (tests advance a fake clock, then wait for this). */
    async idle(): Promise<void> {
      while (working) await working;
    },
    /** Arms the minute timer and catches up on packing and pruning left from before. */
    start(): void {
      stopped = false;
      arm();
      kick();
    },
    /**
     * Writes what it has, the unfinished minute too (the next start, or the node that takes the
     * PLCs over, merges its own part of that minute into it), and waits for writes in flight,
     * for STOP_WAIT_MS at most.
     */
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
      const partial = aggregator.closePartial(clock.now());
      if (partial.count > 0) pending.push(partial);
      const last = (async () => {
        await working;
        for (const rows of pending.splice(0)) await write(rows);
      })();
      let guard: unknown;
      const gaveUp = new Promise<void>((resolve) => (guard = clock.setTimer(clock.now() + STOP_WAIT_MS, resolve)));
      try {
        await Promise.race([last, gaveUp.then(() => Promise.reject(new Error(`no answer in ${STOP_WAIT_MS} ms`)))]);
      } catch (err) {
        log.error(`trend: the last minutes were not written at shutdown: ${String(err)}`);
      } finally {
        clock.clearTimer(guard);
      }
    },
  };
}

export type TrendRecorder = ReturnType<typeof createTrendRecorder>;
