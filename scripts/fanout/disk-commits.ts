import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';

/**
 * The disk's part of a journal write: one-row commits to a scratch SQLite file beside the
 * app's, with the journal's settings (WAL, synchronous=FULL), `gapMs` apart, in ms each.
 * Every alarm event waits for one such commit before any client sees it.
 */
export async function bareCommitTimes(dir: string, count: number, gapMs: number): Promise<number[]> {
  const db = new SQLite(join(dir, 'disk-floor.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table if not exists t (id integer primary key, v text)');
  const insert = db.prepare('insert into t (v) values (?)');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    insert.run('x'.repeat(400)); // one statement outside a transaction: its own commit
    times.push(performance.now() - t0);
    await sleep(gapMs);
  }
  db.close();
  return times;
}
