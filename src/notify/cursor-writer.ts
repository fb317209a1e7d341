import { dialectOf, type Db } from '../db/database.js';
import { loadNotifierCursor, saveNotifierCursor } from './notifier-repository.js';
import type { CursorStore, DeliveryCursor } from './delivery-cursor.js';

interface Pending {
  cursor: DeliveryCursor;
  done: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * The cursor rows of every notifier this node drives. Each loop saves after every delivery; on
 * SQLite each save is a commit (an fsync, ~5k a second) on the one connection the journal
 * writes through too, so 10 busy notifiers alone would fill it. Saves that come while one
 * transaction is being written wait for the next, which writes them all: one commit however many
 * loops saved meanwhile, and no added wait when only one did. PostgreSQL saves each at once,
 * over the pool's connections in parallel.
 */
export function createCursorWriter(db: Db) {
  const sqlite = dialectOf(db) === 'sqlite';
  let pending = new Map<number, Pending>();
  let writing = false;

  async function writeAll(): Promise<void> {
    writing = true;
    while (pending.size > 0) {
      const batch = pending;
      pending = new Map();
      try {
        const [only] = batch.size === 1 ? batch : [];
        if (only) await saveNotifierCursor(db, only[0], only[1].cursor);
        else {
          await db.transaction().execute(async (trx) => {
            for (const [id, p] of batch) await saveNotifierCursor(trx, id, p.cursor);
          });
        }
        for (const p of batch.values()) for (const d of p.done) d.resolve();
      } catch (err) {
        for (const p of batch.values()) for (const d of p.done) d.reject(err);
      }
    }
    writing = false;
  }

  function save(id: number, cursor: DeliveryCursor): Promise<void> {
    if (!sqlite) return saveNotifierCursor(db, id, cursor);
    return new Promise((resolve, reject) => {
      const p = pending.get(id);
      if (p) {
        p.cursor = cursor; // a loop saves in order: the newer one stands for both
        p.done.push({ resolve, reject });
      } else pending.set(id, { cursor, done: [{ resolve, reject }] });
      if (!writing) void writeAll();
    });
  }

  return {
    /** The CursorStore of one notifier. */
    storeOf: (id: number): CursorStore => ({ load: () => loadNotifierCursor(db, id), save: (cursor) => save(id, cursor) }),
  };
}
