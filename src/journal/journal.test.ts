import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { nodeSqlite } from '../runtime/node.js';
import { listEvents, type NewEvent } from '../db/events.js';
import { memoryLogger } from '../log/logger.js';
import { createJournal } from './journal.js';

const event = (type: string): NewEvent => ({ topic: 'system', type, payload: {} });

async function journalOnMemory() {
  const db = openDatabase(':memory:', nodeSqlite);
  await migrateToLatest(db);
  const journal = createJournal(db, systemClock(), memoryLogger());
  const told: string[] = [];
  journal.subscribe((events) => told.push(...events.map((e) => e.type)));
  return { db, journal, told };
}

describe('journal.append', () => {
  it('commits and tells listeners before it returns when nothing else is writing', async () => {
    const { db, journal, told } = await journalOnMemory();
    const done = journal.append([event('a'), event('b')]);
    expect(told).toEqual(['a', 'b']); // no await yet: the fast path from a poll cycle to clients
    await done;
    const stored = await listEvents(db, { viewerId: null, limit: 10 });
    expect(stored.map((e) => e.type)).toEqual(['a', 'b']);
  });

  it('waits behind a transaction in flight, so events keep the order they were handed in', async () => {
    const { db, journal, told } = await journalOnMemory();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = journal.record(async () => {
      await gate;
      return { result: undefined, events: [event('first')] };
    });
    const second = journal.append([event('second')]);
    expect(told).toEqual([]);
    release();
    await Promise.all([slow, second]);
    await journal.append([event('third')]);
    expect(told).toEqual(['first', 'second', 'third']);
    const stored = await listEvents(db, { viewerId: null, limit: 10 });
    expect(stored.map((e) => e.type)).toEqual(['first', 'second', 'third']);
  });

  it('writes nothing of a batch whose companion work fails', async () => {
    const { db, journal, told } = await journalOnMemory();
    await expect(journal.append([event('lost')], () => { throw new Error('disk full'); })).rejects.toThrow('disk full');
    expect(told).toEqual([]);
    expect(await listEvents(db, { viewerId: null, limit: 10 })).toEqual([]);
  });
});
