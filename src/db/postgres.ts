import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../log/logger.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

const pools = new WeakMap<Db, pg.Pool>();

/** True for a `DATABASE` that names a PostgreSQL server rather than a SQLite file (SPEC 12). */
export function isPostgresUrl(location: string): boolean {
  return location.startsWith('postgres://') || location.startsWith('postgresql://');
}

/**
 * int8 as a JS number: ids, ms times and `count(*)` are int8, and node-postgres hands them out
 * as strings (they may pass 2^53). Ours never do; one that did would be wrong silently, so it
 * fails the query instead (node-postgres rejects the query with a parser's error).
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${text} is beyond Number.MAX_SAFE_INTEGER`);
  return n;
}

/**
 * Opens a pool of 10 connections. The int8 parser is set on this pool's own TypeOverrides, not
 * on the global `pg.types`, so other users of `pg` in the process (rate-limiter-flexible on
 * its own pool, say) keep the defaults.
 */
export function openPostgres(url: string, log?: Pick<Logger, 'warn'>): Db {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, parseInt8);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types,
    // A pool that cannot connect (server down, all 10 held) fails the query instead of hanging it.
    connectionTimeoutMillis: 10_000,
    application_name: 'plant-alarm-server',
  });
  // node-postgres emits `error` on the pool when an idle client's connection breaks (the server
  // restarted, say); unhandled, that event would crash the process. The pool has already dropped
  // the client; the next query opens a new one or fails on its own promise.
  pool.on('error', (err) => log?.warn(`postgres: idle connection lost: ${err.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The pool under a PostgreSQL database from `openDatabase()`, for LISTEN clients and rate limiters. */
export function pgPool(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('not a PostgreSQL database from openDatabase()');
  return pool;
}

// An arbitrary constant of ours ("MIGR"), distinct from Kysely's own migration lock.
const MIGRATION_LOCK = 0x4d494752;

/**
 * Runs `work` holding a session advisory lock on one connection, so nodes that start together
 * migrate one after the other: the first applies the migrations, the others find nothing to do.
 * Kysely's Migrator locks too, but only after creating its own tables, which can race.
 */
export async function withMigrationLock<T>(db: Db, work: (conn: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
