import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test server's maintenance database, reached as its superuser (trust auth on loopback). */
export const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A new, empty database for one test file, on the local PostgreSQL. The name is unique per
 * process and call, so test files running in parallel never share one; `drop()` removes it even
 * with connections still open (a pool a failed test left behind).
 */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `alarm_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** Runs one statement on a connection of its own, closed at once, so none lingers between tests. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
