import { describe, expect, it } from 'vitest';
import { systemClock } from '../kernel/clock.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { nodeSqlite } from '../runtime/node.js';
import { listEvents } from './event-history.js';
import type { NewEvent } from './events.js';
import { memoryLogger } from '../log/logger.js';
import { record as storedRecord } from '../engine/test-harness.js';
import { createJournal } from './journal.js';
import { journalStoreFor } from './journal-stores.js';

const event = (type: string): NewEvent => ({ topic: 'system', type, payload: {} });

async function journalOnMemory() {
  const db = openDatabase(':memory:', nodeSqlite);
  await migrateToLatest(db);
  const journal = createJournal(journalStoreFor(db), systemClock(), memoryLogger());
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

  it('writes nothing of a batch whose alarm records cannot be stored', async () => {
    const { db, journal, told } = await journalOnMemory();
    const broken = storedRecord({ rule_id: 1, state: null as never, acked: false });
    await expect(journal.append([event('lost')], { records: [broken], gone: [] })).rejects.toThrow(/NOT NULL/i);
    expect(told).toEqual([]);
    expect(await listEvents(db, { viewerId: null, limit: 10 })).toEqual([]);
  });
});
