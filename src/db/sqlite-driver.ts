import type { SqliteDatabase } from 'kysely';

/** The SQLite driver seam: what each runtime's adapter (runtime/node.ts, runtime/bun.ts) provides. */

/**
 * The slice of the SQLite driver the hot paths use directly (journal, alarm states, history by
 * rule): better-sqlite3 on Node, bun:sqlite on Bun, which agree on it (`get` finding nothing is
 * `undefined` on both: the Bun adapter sees to it).
 */
export interface SqliteHandle {
  /** True while a transaction (Kysely's, say) is open on the connection. */
  readonly inTransaction: boolean;
  /** Wraps `fn` so that each call runs it in BEGIN ... COMMIT, or rolls back if it throws. */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  prepare(sql: string): {
    run(...params: unknown[]): { lastInsertRowid: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  };
}

/** One SQLite connection: the hot paths' prepared statements, Kysely's view of it, and PRAGMAs. */
export interface SqliteConnection {
  readonly handle: SqliteHandle;
  /** The connection as Kysely's SqliteDialect takes it. */
  readonly kysely: SqliteDatabase;
  /** Runs one statement that returns nothing (a PRAGMA that sets something). */
  exec(sql: string): void;
}
