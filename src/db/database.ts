import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresAdapter, SqliteDialect, type Migration } from 'kysely';
import { migrations as sqliteMigrations } from '../../db/migrations/index.js';
import { migrations as postgresMigrations } from '../../db/migrations/postgres/index.js';
import type { Logger } from '../log/logger.js';
import type { SqliteConnection, SqliteHandle } from './sqlite-driver.js';
import { isPostgresUrl, openPostgres, withMigrationLock } from './postgres.js';
import type { Database } from './schema.js';

export { isPostgresUrl, pgPool } from './postgres.js';

export type Db = Kysely<Database>;

/**
 * Which database is underneath. Asked of the adapter, so it answers for a transaction or a
 * single connection of the database too, not only for what `openDatabase()` returned.
 */
export function dialectOf(db: Db): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

const handles = new WeakMap<Db, SqliteHandle>();

/**
 * The connection under a database opened here. Kysely runs every query on this one connection,
 * so a prepared statement run inside a Kysely transaction is part of that transaction.
 */
export function sqliteHandle(db: Db): SqliteHandle {
  const handle = handles.get(db);
  if (!handle) throw new Error('not a SQLite database from openDatabase()');
  return handle;
}

export type Statement = ReturnType<SqliteHandle['prepare']>;

/**
 * A statement prepared once per database, for a query that runs per request or per stream: a
 * Kysely query is built, compiled and prepared anew each time, and that garbage is most of what
 * opening a stream allocates.
 */
export function preparedOnce(sql: string): (db: Db) => Statement {
  const cache = new WeakMap<Db, Statement>();
  return (db) => {
    let st = cache.get(db);
    if (!st) cache.set(db, (st = sqliteHandle(db).prepare(sql)));
    return st;
  };
}

/** Opens a SQLite file (or `:memory:`) with the given driver: better-sqlite3 on Node, bun:sqlite on Bun. */
export type OpenSqlite = (file: string) => SqliteConnection;

/**
 * Opens PostgreSQL for a `postgres://` or `postgresql://` URL (src/db/postgres.ts; `log` hears
 * of connections the pool lost while idle), else the SQLite file.
 */
export function openDatabase(location: string, open: OpenSqlite, log?: Pick<Logger, 'warn'>): Db {
  return isPostgresUrl(location) ? openPostgres(location, log) : openSqlite(location, open);
}

/**
 * Opens the SQLite file with the settings an alarm journal needs, the same under either
 * runtime so that one file serves both: WAL for concurrent readers, synchronous=FULL (WAL's
 * default, NORMAL, can lose the last transactions on power loss), a busy timeout, and foreign
 * keys on.
 */
function openSqlite(file: string, open: OpenSqlite): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = open(file);
  sqlite.exec('PRAGMA journal_mode = WAL');
  sqlite.exec('PRAGMA synchronous = FULL');
  sqlite.exec('PRAGMA busy_timeout = 5000');
  sqlite.exec('PRAGMA foreign_keys = ON');
  // better-sqlite3 builds SQLite with a 16 MB page cache (SQLITE_DEFAULT_CACHE_SIZE=-16000); the
  // append-only journal fills it at its write rate and RSS grows with it for ~20 minutes.
  // SQLite's own default, 2 MB, holds the journal's tail and its indexes.
  sqlite.exec('PRAGMA cache_size = -2000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite.kysely }) });
  handles.set(db, sqlite.handle);
  return db;
}

/**
 * Brings the schema up to date; throws with the failing migration's name. Each dialect has its
 * own frozen list (db/migrations/, db/migrations/postgres/). On PostgreSQL, nodes starting at
 * once take turns under a lock.
 */
export async function migrateToLatest(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') await withMigrationLock(db, (conn) => migrate(conn, postgresMigrations));
  else await migrate(db, sqliteMigrations);
}

async function migrate(db: Db, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
