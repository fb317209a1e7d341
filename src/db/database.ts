import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from '../../db/migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** The slice of better-sqlite3 the hot paths use directly (journal, alarm states, history by rule). */
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

const handles = new WeakMap<Db, SqliteHandle>();

/**
 * The connection under a database opened here. Kysely runs every query on this one connection,
 * so a prepared statement run inside a Kysely transaction is part of that transaction.
 */
export function sqliteHandle(db: Db): SqliteHandle {
  const handle = handles.get(db);
  if (!handle) throw new Error('not a database from openDatabase()');
  return handle;
}

/**
 * Opens the SQLite file with the settings an alarm journal needs: WAL for concurrent
 * readers, synchronous=FULL (better-sqlite3 leaves WAL at NORMAL, which can lose the last
 * transactions on power loss), a busy timeout, and foreign keys on.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // better-sqlite3 builds SQLite with a 16 MB page cache (SQLITE_DEFAULT_CACHE_SIZE=-16000); the
  // append-only journal fills it at its write rate and RSS grows with it for ~20 minutes.
  // SQLite's own default, 2 MB, holds the journal's tail and its indexes.
  sqlite.pragma('cache_size = -2000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  handles.set(db, sqlite as unknown as SqliteHandle);
  return db;
}

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
