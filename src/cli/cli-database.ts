import { existsSync } from 'node:fs';
import { isPostgresUrl, migrateToLatest, openDatabase, type Db, type OpenSqlite } from '../db/database.js';
import { CliFailure, EXIT } from './cli-failure.js';

/** `write`: the command changes the database (import, user add/passwd); `create`: it may also make a new one. */
export type Access = 'read' | 'write' | 'create';

const isBusy = (err: unknown) => (err as { code?: unknown }).code === 'SQLITE_BUSY' || /database is locked/i.test(String(err));

/**
 * A SQLite connection that holds the file for this process alone (locking_mode EXCLUSIVE) and
 * fails at once rather than wait (busy_timeout 0) when another process has it open.
 */
const exclusively = (open: OpenSqlite): OpenSqlite =>
  function openExclusive(file) {
    const connection = open(file);
    connection.exec('PRAGMA busy_timeout = 0');
    connection.exec('PRAGMA locking_mode = EXCLUSIVE');
    return connection;
  };

/**
 * Opens the server's database (DATABASE) and brings its schema up to date.
 *
 * To write, a SQLite file is taken for this process alone. A running server keeps the file open
 * and learns of changes only from its own services: its engine and poller would never see an
 * import behind its back, and its streams would skip the events journaled meanwhile. So a
 * write is refused while a server has the file (use its REST API instead), and a server started
 * meanwhile waits for the lock until alarmctl is done. Nodes on PostgreSQL learn of every
 * change from the journal (src/cluster), so there alarmctl writes beside running servers.
 */
export async function openCliDatabase(location: string, openSqlite: OpenSqlite, access: Access): Promise<Db> {
  if (location === ':memory:') throw new CliFailure('DATABASE is ":memory:": no other process can open it', EXIT.usage);
  const sqlite = !isPostgresUrl(location);
  if (sqlite && access !== 'create' && !existsSync(location)) throw new CliFailure(`no database at ${location} (set DATABASE)`);
  let db: Db;
  try {
    db = openDatabase(location, sqlite && access !== 'read' ? exclusively(openSqlite) : openSqlite);
  } catch (err) {
    if (!isBusy(err)) throw err;
    throw new CliFailure(
      `${location} is in use, by a running server most likely: stop it first, or make the change through its REST API (README, "Config as files")`,
    );
  }
  await migrateToLatest(db);
  return db;
}
