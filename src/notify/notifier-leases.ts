import type pg from 'pg';
import type { Clock } from '../kernel/clock.js';
import { createNodeSession } from '../cluster/node-session.js';
import type { Logger } from '../log/logger.js';

/** The first key of every notifier lease (the second is the notifier id): an arbitrary constant of ours. */
const LEASE_CLASS = 0x4e4f5431; // "NOT1"

/** Which notifiers this node may drive. */
export interface NotifierLeases {
  start(): Promise<void>;
  /** Takes the notifier's lease if it is free; true while this node holds it. */
  take(id: number): Promise<boolean>;
  release(id: number): Promise<void>;
  /** Releases every lease. */
  stop(): Promise<void>;
}

/** A single node drives every notifier. */
export const soleLeases = (): NotifierLeases => ({
  start: async () => {},
  take: async () => true,
  release: async () => {},
  stop: async () => {},
});

export interface AdvisoryLeaseOptions {
  /** A new, unconnected client for the cluster's database (the pool's settings). */
  newClient(): pg.Client;
  /** The connection came (back): free notifiers may be taken now. */
  up(): void;
  /** The connection is gone, and every lease with it: stop driving them at once. */
  lost(): void;
  clock: Clock;
  log: Logger;
}

/**
 * In a cluster each notifier is driven by the node whose session holds its advisory lock
 * (`pg_try_advisory_lock(LEASE_CLASS, id)`), on a connection of its own. PostgreSQL grants it to
 * one session at a time and drops it with the session, so a node that dies or loses the
 * database frees its notifiers for the others, which retry every few seconds.
 */
export function advisoryLeases(options: AdvisoryLeaseOptions): NotifierLeases {
  const held = new Set<number>();
  const session = createNodeSession({
    newClient: options.newClient,
    channels: [],
    onNotify: () => {},
    onUp: options.up,
    onDown() {
      held.clear();
      options.lost();
    },
    clock: options.clock,
    log: options.log,
  });

  return {
    start: () => session.start(),
    async take(id) {
      if (held.has(id)) return true;
      if (!session.connected) return false;
      const [row] = await session.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LEASE_CLASS, id]);
      if (row?.ok) held.add(id);
      return held.has(id);
    },
    async release(id) {
      // A session lock is counted per take: take() takes it once, so one unlock frees it.
      if (!held.delete(id) || !session.connected) return;
      await session.query('select pg_advisory_unlock($1, $2)', [LEASE_CLASS, id]);
    },
    async stop() {
      held.clear();
      await session.stop(); // closing the session releases every lock at once
    },
  };
}
