import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, sqliteHandle, type Db } from '../db/database.js';
import { insertNotifier } from './notifier-repository.js';
import { nodeSqlite } from '../runtime/node.js';
import { createCursorWriter } from './cursor-writer.js';
import type { DeliveryCursor } from './delivery-cursor.js';
import { NOTHING_YET } from './delivery-status.js';
import { NotifierInput } from './notifier.js';

let db: Db;
beforeEach(async () => {
  db = openDatabase(':memory:', nodeSqlite);
  await migrateToLatest(db);
});
afterEach(() => db.destroy());

const notifier = (name: string) =>
  insertNotifier(
    db,
    v.parse(NotifierInput, { kind: 'webhook', name, url: 'http://127.0.0.1/x', secret: 's'.repeat(16) }),
    { through: 0, replay_from: 0 },
    'now',
  );

/** A save of `cursor` with `delivered` messages counted. */
const progress = (cursor: DeliveryCursor, delivered = 0) => ({ cursor, counters: { ...NOTHING_YET, delivered } });

describe('the cursor writer (SQLite)', () => {
  it("writes the saves of many loops together, each loop's newest, and resolves each once written", async () => {
    const ids = await Promise.all(['a', 'b', 'c'].map(async (name) => (await notifier(name)).id));
    const writer = createCursorWriter(db);
    const stores = ids.map((id) => writer.storeOf(id));
    await Promise.all(
      stores.map(async (s, k) => {
        for (let i = 1; i <= 50; i++) await s.save(progress({ through: i * (k + 1), replay_from: i }, i * (k + 1)));
      }),
    );
    expect(await Promise.all(stores.map((s) => s.load()))).toEqual([
      progress({ through: 50, replay_from: 50 }, 50),
      progress({ through: 100, replay_from: 50 }, 100),
      progress({ through: 150, replay_from: 50 }, 150),
    ]);
    // Saves queued behind one in flight share its successor.
    const [first, second] = stores as [ReturnType<typeof writer.storeOf>, ReturnType<typeof writer.storeOf>];
    await Promise.all([
      first.save(progress({ through: 60, replay_from: 60 }, 51)),
      first.save(progress({ through: 61, replay_from: 60 }, 52)),
      second.save(progress({ through: 101, replay_from: 101 }, 101)),
    ]);
    expect(await first.load()).toEqual(progress({ through: 61, replay_from: 60 }, 52));
    expect(await second.load()).toEqual(progress({ through: 101, replay_from: 101 }, 101));
  });

  it('makes the saves of every loop that saved in one turn of the event loop one commit, and leaves the connection synced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cursor-writer-'));
    const file = openDatabase(join(dir, 'alarms.sqlite'), nodeSqlite);
    try {
      await migrateToLatest(file);
      const ids = [];
      for (const name of ['a', 'b', 'c'])
        ids.push(
          (
            await insertNotifier(
              file,
              v.parse(NotifierInput, { kind: 'webhook', name, url: 'http://127.0.0.1/x', secret: 's'.repeat(16) }),
              { through: 0, replay_from: 0 },
              'now',
            )
          ).id,
        );
      // Each commit appends the page it changed to the WAL: count the frames.
      const checkpoint = (mode: string) => (sqliteHandle(file).prepare(`PRAGMA wal_checkpoint(${mode})`).get() as { log: number }).log;
      const walFrames = () => checkpoint('PASSIVE');
      const emptyWal = () => checkpoint('TRUNCATE');
      emptyWal();
      const writer = createCursorWriter(file);
      await Promise.all(ids.map((id) => writer.storeOf(id).save(progress({ through: 7, replay_from: 7 }))));
      expect(walFrames()).toBe(1);
      emptyWal();
      for (const id of ids) await writer.storeOf(id).save(progress({ through: 8, replay_from: 8 })); // one turn each
      expect(walFrames()).toBe(3);
      // Those commits did not wait for the disk; the journal's still do.
      expect(sqliteHandle(file).prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    } finally {
      await file.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects the saves of a batch that could not be written', async () => {
    const { id } = await notifier('a');
    const writer = createCursorWriter(db);
    await db.destroy();
    await expect(writer.storeOf(id).save(progress({ through: 1, replay_from: 1 }))).rejects.toThrow();
    db = openDatabase(':memory:', nodeSqlite); // for afterEach
  });
});
