import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * `alarmctl backup FILE`: a consistent copy of the SQLite database, taken while the server runs.
 * `VACUUM INTO` copies one snapshot of a read transaction (WAL lets the server write on
 * meanwhile), on either runtime's driver. The backup API (better-sqlite3's `db.backup()`) copies
 * in steps and starts over whenever another process writes, which a polling server does every
 * second. Written beside FILE and renamed: FILE is a whole backup or untouched.
 */
export async function backupCommand(db: Db, file: string): Promise<string> {
  const target = resolve(file);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  try {
    await sql`vacuum into ${partial}`.execute(db);
    renameSync(partial, target);
  } finally {
    if (existsSync(partial)) rmSync(partial, { force: true });
  }
  return `backed up to ${target}`;
}
