import { dialectOf, sqliteHandle, type Db } from '../db/database.js';
import type { SqliteHandle } from '../db/sqlite-driver.js';
import { loadNotifierProgress, progressUpdate, saveNotifierProgress } from './notifier-repository.js';
import type { CursorStore, SavedProgress } from './delivery-cursor.js';

interface Pending {
  progress: SavedProgress;
  done: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * The saves of every notifier this node drives: its cursor and status counters, one row each.
 * Each loop saves behind its deliveries. On SQLite a save is a commit on the one connection the
 * journal writes through too, so saves are gathered: a save waits for the end of the event
 * loop's turn (setImmediate), and saves that come while one transaction is being written wait
 * for the next, so all the loops that saved in one turn (they save on the same clock slots) make
 * one commit. That commit does not wait for the disk (synchronous=NORMAL for it alone): an fsync
 * blocks the main thread for 5-10 ms here, and a cursor lost with the power only sends again what
 * was delivered since, as at-least-once allows. The journal's next commit, at FULL, syncs it with
 * its own. PostgreSQL saves each at once, over the pool's connections in parallel.
 */
export function createCursorWriter(db: Db) {
  const sqlite = dialectOf(db) === 'sqlite' ? sqliteHandle(db) : null;
  let pending = new Map<number, Pending>();
  let writing = false;

  async function writeAll(handle: SqliteHandle): Promise<void> {
    while (pending.size > 0) {
      const batch = pending;
      pending = new Map();
      try {
        if (handle.inTransaction) {
          // Another transaction holds the connection: queue behind it as Kysely does, synced.
          await db.transaction().execute(async (trx) => {
            for (const [id, p] of batch) await saveNotifierProgress(trx, id, p.progress);
          });
        } else writeUnsynced(handle, batch);
        for (const p of batch.values()) for (const d of p.done) d.resolve();
      } catch (err) {
        for (const p of batch.values()) for (const d of p.done) d.reject(err);
      }
    }
    writing = false;
  }

  /** One commit, synchronous from PRAGMA to PRAGMA so that no journal commit runs unsynced between. */
  function writeUnsynced(handle: SqliteHandle, batch: Map<number, Pending>): void {
    const updates = [...batch].map(([id, p]) => progressUpdate(db, id, p.progress).compile());
    // Every save compiles to the same statement: prepared once a batch, not once a row.
    const statements = new Map<string, ReturnType<SqliteHandle['prepare']>>();
    const statementOf = (sql: string) => statements.get(sql) ?? statements.set(sql, handle.prepare(sql)).get(sql)!;
    handle.prepare('PRAGMA synchronous = NORMAL').run();
    try {
      handle.transaction(() => {
        for (const u of updates) statementOf(u.sql).run(...u.parameters);
      })();
    } finally {
      handle.prepare('PRAGMA synchronous = FULL').run();
    }
  }

  function save(id: number, progress: SavedProgress): Promise<void> {
    const handle = sqlite;
    if (!handle) return saveNotifierProgress(db, id, progress);
    return new Promise((resolve, reject) => {
      const p = pending.get(id);
      if (p) {
        p.progress = progress; // a loop saves in order: the newer one stands for both
        p.done.push({ resolve, reject });
      } else pending.set(id, { progress, done: [{ resolve, reject }] });
      if (!writing) {
        writing = true;
        setImmediate(() => void writeAll(handle));
      }
    });
  }

  return {
    /** The CursorStore of one notifier. */
    storeOf: (id: number): CursorStore => ({ load: () => loadNotifierProgress(db, id), save: (progress) => save(id, progress) }),
  };
}
