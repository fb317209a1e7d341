import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../../test/helpers/postgres.js';
import { nodeSqlite } from '../runtime/node.js';
import { dialectOf, isPostgresUrl, migrateToLatest, openDatabase, pgPool, sqliteHandle, type Db, type OpenSqlite } from './database.js';
import { migrations } from '../../db/migrations/postgres/index.js';

// What a PostgreSQL database from openDatabase() is: dialect, pool, int8 numbers, migrations.
const noSqlite: OpenSqlite = () => {
  throw new Error('a postgres:// location must not open SQLite');
};

let server: Awaited<ReturnType<typeof freshPostgres>>;
const opened: Db[] = [];
const open = (log?: { warn(message: string): void }) => {
  const db = openDatabase(server.url, noSqlite, log);
  opened.push(db);
  return db;
};

beforeAll(async () => {
  server = await freshPostgres();
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.destroy()));
  await server?.drop();
});

describe('a PostgreSQL database', () => {
  it('migrates once when three nodes start at the same moment', async () => {
    const nodes = [open(), open(), open()];
    await Promise.all(nodes.map((db) => migrateToLatest(db)));

    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(nodes[0]!);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort()); // each exactly once
    const tables = await sql<{
      t: string;
    }>`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`.execute(nodes[1]!);
    expect(tables.rows.map((r) => r.t)).toEqual(
      expect.arrayContaining([
        'alarm_states',
        'cluster_nodes',
        'datapoints',
        'events',
        'items',
        'notifiers',
        'plcs',
        'rate_limits',
        'rules',
        'settings',
        'stream_tickets',
        'users',
      ]),
    );
    // A node that starts later finds nothing to do.
    await migrateToLatest(nodes[2]!);
  });

  it('is told apart from SQLite, in a transaction too', async () => {
    const db = open();
    const sqlite = openDatabase(':memory:', nodeSqlite);
    try {
      expect(dialectOf(db)).toBe('postgres');
      expect(await db.transaction().execute(async (trx) => dialectOf(trx))).toBe('postgres');
      expect(dialectOf(sqlite)).toBe('sqlite');
      expect(pgPool(db)).toBeInstanceOf(pg.Pool);
      expect(() => pgPool(sqlite)).toThrow();
      expect(() => sqliteHandle(db)).toThrow();
    } finally {
      await sqlite.destroy();
    }
  });

  it('recognizes PostgreSQL URLs and nothing else', () => {
    expect(isPostgresUrl('postgres://u@h:5432/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('data/alarms.sqlite')).toBe(false);
    expect(isPostgresUrl(':memory:')).toBe(false);
  });

  it('reads int8 and count(*) as numbers, on its own pool only', async () => {
    const db = open();
    const { rows } = await sql<{ n: unknown; big: unknown }>`select count(*) as n, 9007199254740991::int8 as big`.execute(db);
    expect(rows[0]).toEqual({ n: 1, big: Number.MAX_SAFE_INTEGER });
    // Past 2^53 a number would be wrong: the query fails instead.
    await expect(sql`select 9007199254740993::int8 as n`.execute(db)).rejects.toThrow(RangeError);
    // Any other pool in the process keeps node-postgres's default, strings.
    const other = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      expect((await other.query('select 1::int8 as n')).rows[0]).toEqual({ n: '1' });
    } finally {
      await other.end();
    }
  });

  it('survives an idle connection the server ends, and says so', async () => {
    let warned!: (message: string) => void;
    const warning = new Promise<string>((resolve) => (warned = resolve));
    const db = open({ warn: (message) => warned(message) });
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    // The connection is idle in the pool now; end it from another one.
    const other = open();
    await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(other);

    expect(await warning).toMatch(/^postgres: idle connection lost/);
    const again = await sql<{ ok: number }>`select 1 as ok`.execute(db);
    expect(again.rows).toEqual([{ ok: 1 }]);
  });
});
