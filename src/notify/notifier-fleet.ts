import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';
import { readEventsAfter, type JournalEvent } from '../journal/events.js';
import { findNotifier, listNotifiers } from './notifier-repository.js';
import type { Logger } from '../log/logger.js';
import { createCursorWriter } from './cursor-writer.js';
import { createRecentEvents } from './recent-events.js';
import type { DeliveryStatus } from './delivery-status.js';
import type { Notifier } from './notifier.js';
import type { NotifierLeases } from './notifier-leases.js';
import { runNotifier, type NotifierDeps, type RunningNotifier } from './notifier-runner.js';
import type { RuleDirectory } from './rule-directory.js';

export interface FleetOptions {
  db: Db;
  leases: NotifierLeases;
  directory: RuleDirectory;
  clock: Clock;
  log: Logger;
  random: () => number;
  /** How often every notifier is looked at again: free leases taken, failed starts retried. */
  roundMs?: number;
}

interface Driven {
  notifier: Notifier;
  /** the settings it runs with, to tell an edit from a no-op */
  settings: string;
  run: RunningNotifier;
}

/** Why a notifier's loop could not start here, and when (ISO). */
export interface StartFailure {
  error: string;
  at: string;
}

const isNotifierEvent = (e: JournalEvent) => e.topic === 'config' && e.type.startsWith('notifier_');

/**
 * The notifiers this node drives: one delivery loop per enabled notifier whose lease it holds,
 * started, restarted with new settings, and stopped, one change at a time per notifier, so no
 * two loops of one notifier ever run at once in this process. It follows the journal: every
 * commit wakes the loops, and `notifier_*` events (any node's, in a cluster) reconcile that
 * notifier with the database.
 */
export function createNotifierFleet(o: FleetOptions) {
  const roundMs = o.roundMs ?? 3_000;
  const cursors = createCursorWriter(o.db);
  const driven = new Map<number, Driven>();
  /** What this node published lately: the loops read it from here, not each from the database. */
  const recent = createRecentEvents();
  /** per notifier, the tail of its chain of changes */
  const chains = new Map<number, Promise<void>>();
  /** notifiers being edited through this node: not started until the edit is committed */
  const held = new Set<number>();
  /** why a notifier's loop could not start, and when it last tried, until it does */
  const startFailures = new Map<number, StartFailure>();
  let stopped = true;
  let timer: unknown;

  /** Runs `change` after the notifier's previous changes; never rejects. */
  function serially(id: number, change: () => Promise<void>): Promise<void> {
    const next = (chains.get(id) ?? Promise.resolve())
      .then(change)
      .catch((err: unknown) => o.log.error(`notifier ${id}: ${err instanceof Error ? err.message : String(err)}`));
    chains.set(id, next);
    void next.then(() => chains.get(id) === next && chains.delete(id));
    return next;
  }

  function depsOf(id: number): NotifierDeps {
    return {
      readAfter: async (afterId, limit) => {
        const events = recent.after(afterId, limit) ?? (await readEventsAfter(o.db, afterId, limit));
        await o.directory.prepare(events);
        return events;
      },
      cursor: cursors.storeOf(id),
      clock: o.clock,
      log: o.log,
      random: o.random,
      rules: o.directory.rules,
      currentAlarm: o.directory.currentAlarm,
    };
  }

  async function halt(id: number): Promise<void> {
    const d = driven.get(id);
    if (!d) return;
    driven.delete(id);
    await d.run.stop();
  }

  /** Brings one notifier in line with the database: running with its settings, or not at all. */
  const reconcile = (id: number) =>
    serially(id, async function reconcileNotifier() {
      const n = stopped ? undefined : await findNotifier(o.db, id);
      if (!n?.enabled) {
        startFailures.delete(id);
        await halt(id);
        await o.leases.release(id);
        return;
      }
      const settings = JSON.stringify(n);
      if (driven.get(id)?.settings === settings) return;
      await halt(id);
      if (held.has(id) || stopped || !(await o.leases.take(id))) return;
      let run: RunningNotifier;
      try {
        run = await runNotifier(n, depsOf(id));
      } catch (err) {
        // Tried again every round; the status says why meanwhile.
        const error = `cannot start: ${err instanceof Error ? err.message : String(err)}`;
        startFailures.set(id, { error, at: new Date(o.clock.now()).toISOString() });
        throw err;
      }
      startFailures.delete(id);
      if (stopped || held.has(id)) return void (await run.stop());
      driven.set(id, { notifier: n, settings, run });
      o.log.info(`notifier ${id} (${n.name}): delivering`);
    });

  async function reconcileAll(): Promise<void> {
    const ids = new Set([...driven.keys(), ...(await listNotifiers(o.db)).map((n) => n.id)]);
    await Promise.all([...ids].map(reconcile));
  }

  function round(): void {
    timer = o.clock.setTimer(o.clock.now() + roundMs, () => {
      if (stopped) return;
      reconcileAll()
        .catch((err: unknown) => o.log.error(`notifiers: ${String(err)}`))
        .finally(() => !stopped && round());
    });
  }

  return {
    async start(): Promise<void> {
      stopped = false;
      await o.leases.start();
      await reconcileAll();
      round();
    },

    /** Events were journaled (this node's, or in a cluster any node's): wake the loops. */
    committed(events: JournalEvent[]): void {
      recent.add(events); // even while stopped: it must see every event to vouch for a range
      if (stopped) return;
      for (const e of events) {
        if (!isNotifierEvent(e)) continue;
        const id = (e.payload.notifier as { id?: unknown } | undefined)?.id;
        if (typeof id === 'number') void reconcile(id);
      }
      for (const d of driven.values()) d.run.delivery.wake();
    },

    /**
     * Runs an edit of the notifier with its loop stopped first (nothing more goes to the old
     * address once the edit is answered), then starts it again as the database has it.
     */
    async whileStopped<T>(id: number, edit: () => Promise<T>): Promise<T> {
      held.add(id);
      try {
        await serially(id, () => halt(id));
        return await edit();
      } finally {
        held.delete(id);
        await reconcile(id);
      }
    },

    /** Brings one notifier in line with the database now (after this node created it). */
    sync: (id: number): Promise<void> => reconcile(id),

    /** The running loop's status, or undefined when this node does not drive it. */
    status: (id: number): DeliveryStatus | undefined => driven.get(id)?.run.delivery.status(),

    /** Why the notifier's loop could not start here, while it cannot. */
    startFailure: (id: number): StartFailure | undefined => startFailures.get(id),

    /** The leases are gone with the connection: stop every loop (the next holder takes over). */
    lost(): void {
      for (const id of driven.keys()) void serially(id, () => halt(id));
    },

    /** Looks at every notifier again now (a reconnect). */
    nudge(): void {
      if (!stopped) reconcileAll().catch((err: unknown) => o.log.error(`notifiers: ${String(err)}`));
    },

    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) o.clock.clearTimer(timer);
      await Promise.all([...new Set([...driven.keys(), ...chains.keys()])].map((id) => serially(id, () => halt(id))));
      await o.leases.stop();
    },
  };
}

export type NotifierFleet = ReturnType<typeof createNotifierFleet>;
