import type { Db } from '../db/database.js';
import { pruneEvents } from '../db/events.js';
import type { Logger } from '../log/logger.js';

/** How long the journal keeps events; older resumes get `sync_required` and a snapshot. */
export const RETENTION_DAYS = 90;
const EVERY_MS = 60 * 60_000;

/** Prunes the journal at start and then hourly; returns a function that stops it. */
export function startRetention(db: Db, now: () => number, log: Logger): () => void {
  const prune = () => {
    const cutoff = new Date(now() - RETENTION_DAYS * 86_400_000).toISOString();
    pruneEvents(db, cutoff).then(
      (n) => n > 0 && log.info(`journal: pruned ${n} events older than ${cutoff}`),
      (err: unknown) => log.error(`journal: pruning failed: ${String(err)}`),
    );
  };
  prune();
  const timer = setInterval(prune, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
