import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import { insertNotifier } from './notifier-repository.js';
import { nodeSqlite } from '../runtime/node.js';
import { createCursorWriter } from './cursor-writer.js';
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

describe('the cursor writer (SQLite)', () => {
  it("writes the saves of many loops together, each loop's newest, and resolves each once written", async () => {
    const ids = await Promise.all(['a', 'b', 'c'].map(async (name) => (await notifier(name)).id));
    const writer = createCursorWriter(db);
    const stores = ids.map((id) => writer.storeOf(id));
    await Promise.all(
      stores.map(async (s, k) => {
        for (let i = 1; i <= 50; i++) await s.save({ through: i * (k + 1), replay_from: i });
      }),
    );
    expect(await Promise.all(stores.map((s) => s.load()))).toEqual([
      { through: 50, replay_from: 50 },
      { through: 100, replay_from: 50 },
      { through: 150, replay_from: 50 },
    ]);
    // Saves queued behind one in flight share its successor.
    const [first, second] = stores as [ReturnType<typeof writer.storeOf>, ReturnType<typeof writer.storeOf>];
    await Promise.all([
      first.save({ through: 60, replay_from: 60 }),
      first.save({ through: 61, replay_from: 60 }),
      second.save({ through: 101, replay_from: 101 }),
    ]);
    expect(await first.load()).toEqual({ through: 61, replay_from: 60 });
    expect(await second.load()).toEqual({ through: 101, replay_from: 101 });
  });

  it('rejects the saves of a batch that could not be written', async () => {
    const { id } = await notifier('a');
    const writer = createCursorWriter(db);
    await db.destroy();
    await expect(writer.storeOf(id).save({ through: 1, replay_from: 1 })).rejects.toThrow();
    db = openDatabase(':memory:', nodeSqlite); // for afterEach
  });
});
