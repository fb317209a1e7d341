import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, sqliteHandle, type Db } from '../db/database.js';
import { nodeSqlite } from '../runtime/node.js';
import { listEvents } from './event-history.js';
import type { NewEvent } from './events.js';
import { manualClock, type ManualClock } from '../kernel/manual-clock.js';
import { memoryLogger } from '../log/logger.js';
import type { AlarmRecord } from '../engine/index.js';
import { record as storedRecord } from '../engine/test-harness.js';
import { createJournal, type Journal } from './journal.js';
import { journalStoreFor } from './journal-stores.js';

// A full disk, for real: SQLite's max_page_count pinned to the file's size makes every write that
// needs a new page fail with SQLITE_FULL ("database or disk is full"); raising it frees the space.
const event = (type: string, pad = 0): NewEvent => ({ topic: 'system', type, payload: { pad: 'x'.repeat(pad) } });
const record = (ruleId: number): AlarmRecord => storedRecord({ rule_id: ruleId, state: 'ALARM', acked: false, value: 99 });
const page = (db: Db) => (sqliteHandle(db).prepare('pragma page_count').get() as { page_count: number }).page_count;
const limitPages = (db: Db, n: number) => sqliteHandle(db).prepare(`pragma max_page_count = ${n}`).get();
const fillDisk = (db: Db) => limitPages(db, page(db));
const freeDisk = (db: Db) => limitPages(db, 1_000_000);

let dir: string;
let db: Db;
let clock: ManualClock;
let journal: Journal;
let log: ReturnType<typeof memoryLogger>;
let told: string[];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'journal-'));
  db = openDatabase(join(dir, 'j.sqlite'), nodeSqlite);
  await migrateToLatest(db);
  clock = manualClock(Date.parse('2026-03-02T08:00:00Z'));
  log = memoryLogger();
  journal = createJournal(journalStoreFor(db), clock, log);
  told = [];
  journal.subscribe((events) => told.push(...events.map((e) => e.type)));
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Appends large events until one does not fit: that one and whatever follows are held. */
function appendUntilFull(): { held: Promise<void>; committed: string[] } {
  fillDisk(db);
  for (let i = 0; i < 100; i++) {
    const held = journal.append([event(`fill-${i}`, 3000)]);
    if (journal.health().status === 'degraded') return { held, committed: [...told] };
  }
  throw new Error('the disk never filled');
}

describe('journal writes on a full disk', () => {
  it('hold the failed append and all behind it, tell no one, retry with backoff, then commit them in order', async () => {
    await journal.append([event('before')]);
    const { held, committed } = appendUntilFull();
    const fill = committed.length - 1; // the held filler's number
    const after = [journal.append([event('c')]), journal.append([event('d')])];
    expect(journal.health()).toEqual({ status: 'degraded', reason: 'database or disk is full' });
    expect(told).toEqual(committed);
    expect(log.lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);

    clock.advance(250); // the first retry: still full
    expect(told).toEqual(committed);
    freeDisk(db);
    clock.advance(499); // the next one is 500 ms after that
    expect(told).toEqual(committed);
    clock.advance(1);
    expect(told).toEqual([...committed, `fill-${fill}`, 'c', 'd']);
    expect(journal.health()).toEqual({ status: 'ok' });
    await Promise.all([held, ...after]);

    const stored = await listEvents(db, { viewerId: null, limit: 1000 });
    expect(stored.map((e) => e.type)).toEqual(told);
    expect(stored.map((e) => e.id)).toEqual(stored.map((_, i) => stored[0]!.id + i)); // no gap
  });

  it('write the alarm records that go with the held events along with them, once they commit', async () => {
    appendUntilFull();
    void journal.append([event('with-state')], { records: [record(7)], gone: [] });
    const read = () => sqliteHandle(db).prepare('select state from alarm_states where rule_id = 7').get();
    expect(read()).toBeUndefined();
    freeDisk(db);
    clock.advance(250);
    expect(read()).toEqual({ state: 'ALARM' });
    expect(told.at(-1)).toBe('with-state');
  });

  it('refuse units of work at once while degraded (503 unavailable), and those already waiting', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = journal.record(async () => {
      await gate;
      return { result: 'first', events: [] };
    });
    const waiting = journal.append([event('x', 9000)]); // too big for the space left
    const behind = journal.record(async () => ({ result: 'behind', events: [event('r')] }));
    fillDisk(db);
    release();
    expect(await first).toBe('first');
    await expect(behind).rejects.toMatchObject({ code: 'unavailable', status: 503, headers: { 'retry-after': '1' } });
    await expect(journal.record(async () => ({ result: 0, events: [] }))).rejects.toMatchObject({ code: 'unavailable' });
    expect(() => journal.assertWritable()).toThrow(expect.objectContaining({ code: 'unavailable' }));
    expect(await journal.appendOrHold([event('y')])).toBe('held');

    freeDisk(db);
    clock.advance(250);
    await waiting;
    expect(told).toEqual(['x', 'y']);
    expect(await journal.record(async () => ({ result: 'again', events: [event('z')] }))).toBe('again');
    expect(told).toEqual(['x', 'y', 'z']);
  });

  it('refuse a held write that fails for another reason, alone, and commit the rest in order', async () => {
    const { committed } = appendUntilFull();
    const bad = journal.append([event('bad')], { records: [{ ...record(7), state: null as never }], gone: [] });
    const good = journal.append([event('good')]);
    freeDisk(db);
    clock.advance(250); // the whole backlog fails as one transaction: then one write at a time
    await expect(bad).rejects.toThrow(/NOT NULL/i);
    await good;
    expect(told.slice(committed.length)).toEqual([expect.stringMatching(/^fill-/), 'good']);
  });

  it('at shutdown try once more, then refuse what still cannot be written and leave no timer behind', async () => {
    const { held } = appendUntilFull();
    const flushed = journal.flush();
    await expect(held).rejects.toMatchObject({ code: 'unavailable' });
    await flushed;
    expect(clock.pending()).toBe(0);
    expect(log.lines.at(-1)).toMatch(/stopping with 1 event\(s\) not journaled: database or disk is full/);
  });
});
