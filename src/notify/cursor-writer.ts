import { dialectOf, type Db } from '../db/database.js';
import { loadNotifierProgress, saveNotifierProgress } from './notifier-repository.js';
import type { CursorStore, SavedProgress } from './delivery-cursor.js';

interface Pending {
  progress: SavedProgress;
  done: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * The saves of every notifier this node drives: its cursor and status counters, one row each.
 * Each loop saves behind its deliveries; on SQLite each save is a commit (an fsync, ~5k a second)
 * on the one connection the journal writes through too, so 10 busy notifiers alone would fill it.
 * A save waits for the end of the event loop's turn (setImmediate), and saves that come while one
 * transaction is being written wait for the next: one commit for all the loops that saved in one
 * turn (the loops save on the same clock slots), and no wait beyond the turn when only one did.
 * PostgreSQL saves each at once, over the pool's connections in parallel.
 */
export function createCursorWriter(db: Db) {
  const sqlite = dialectOf(db) === 'sqlite';
  let pending = new Map<number, Pending>();
  let writing = false;

  async function writeAll(): Promise<void> {
    while (pending.size > 0) {
      const batch = pending;
      pending = new Map();
      try {
        const [only] = batch.size === 1 ? batch : [];
        if (only) await saveNotifierProgress(db, only[0], only[1].progress);
        else {
          await db.transaction().execute(async (trx) => {
            for (const [id, p] of batch) await saveNotifierProgress(trx, id, p.progress);
          });
        }
        for (const p of batch.values()) for (const d of p.done) d.resolve();
      } catch (err) {
        for (const p of batch.values()) for (const d of p.done) d.reject(err);
      }
    }
    writing = false;
  }

  function save(id: number, progress: SavedProgress): Promise<void> {
    if (!sqlite) return saveNotifierProgress(db, id, progress);
    return new Promise((resolve, reject) => {
      const p = pending.get(id);
      if (p) {
        p.progress = progress; // a loop saves in order: the newer one stands for both
        p.done.push({ resolve, reject });
      } else pending.set(id, { progress, done: [{ resolve, reject }] });
      if (!writing) {
        writing = true;
        setImmediate(() => void writeAll());
      }
    });
  }

  return {
    /** The CursorStore of one notifier. */
    storeOf: (id: number): CursorStore => ({ load: () => loadNotifierProgress(db, id), save: (progress) => save(id, progress) }),
  };
}
