import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/database.js';
import { pruneEvents } from './events.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../log/logger.js';

/** How long the journal keeps events; older resumes get `sync_required` and a snapshot. */
export const RETENTION_DAYS = 90;
const EVERY_MS = 60 * 60_000;
/** Held while one node of a cluster prunes; the others skip that hour's run. */
const RETENTION_LOCK = 0x50524e45; // "PRNE"

/** Deletes old events; in a cluster only the node that gets the lock does, the others skip. */
async function prune(db: Db, cutoff: string): Promise<number> {
  if (dialectOf(db) !== 'postgres') return pruneEvents(db, cutoff);
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as ok`.execute(trx);
    return rows[0]?.ok ? pruneEvents(trx, cutoff) : 0;
  });
}

/**
 * Prunes the journal at start and then hourly, on the clock; returns a stop that waits for a
 * prune under way (the database closes after it).
 */
export function startRetention(db: Db, clock: Clock, log: Logger): () => Promise<void> {
  let pruning: Promise<unknown> = Promise.resolve();
  let timer: unknown;
  function pruneHourly(): void {
    const cutoff = new Date(clock.now() - RETENTION_DAYS * 86_400_000).toISOString();
    pruning = prune(db, cutoff).then(
      (n) => n > 0 && log.info(`journal: pruned ${n} events older than ${cutoff}`),
      (err: unknown) => log.error(`journal: pruning failed: ${String(err)}`),
    );
    timer = clock.setTimer(clock.now() + EVERY_MS, pruneHourly);
  }
  pruneHourly();
  return async function stopRetention() {
    clock.clearTimer(timer);
    await pruning;
  };
}
