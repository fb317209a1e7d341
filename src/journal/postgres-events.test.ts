import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshPostgres } from '../../test/helpers/postgres.js';
import { nodeSqlite } from '../runtime/node.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import { listEvents } from './event-history.js';
import { appendEventsPg, eventAppender, journalRange, pruneEvents, readEventsAfter, readReplayPage, type NewEvent } from './events.js';

// The journal on PostgreSQL, held against the same journal on SQLite where both must agree.
const noSqlite = () => {
  throw new Error('a postgres:// location must not open SQLite');
};

let server: Awaited<ReturnType<typeof freshPostgres>>;
let db: Db;
let lite: Db;

beforeAll(async () => {
  server = await freshPostgres();
  db = openDatabase(server.url, noSqlite);
  await migrateToLatest(db);
});
afterAll(async () => {
  await lite?.destroy();
  await db?.destroy();
  await server?.drop();
});
beforeEach(async () => {
  // Each test starts from a journal that has never held an event, on both sides.
  await sql`truncate events, settings restart identity`.execute(db);
  await lite?.destroy();
  lite = openDatabase(':memory:', nodeSqlite);
  await migrateToLatest(lite);
});

const append = (target: Db, events: NewEvent[], ts: string) =>
  target === lite ? eventAppender(lite)(events, ts) : db.transaction().execute((trx) => appendEventsPg(trx, events, ts));

describe('appendEventsPg', () => {
  it('appends 5000 events in one call, ids ascending in input order', async () => {
    const tricky = 'quote " backslash \\ newline \n tab \t braces {} comma , NULL ü 🙂';
    const events: NewEvent[] = Array.from({ length: 5000 }, (_, i) => ({
      topic: i % 3 === 0 ? 'alarms' : 'system',
      type: `t${i}`,
      payload: i % 500 === 0 ? {} : { i, text: tricky, nested: { list: [i, null, 'x'] } },
      owner_id: i % 7 === 0 ? i : null,
      rule_id: i % 2 === 0 ? i + 1 : undefined,
    }));
    const stored = await append(db, events, '2026-12-05T10:00:00.000Z');

    const ids = stored.map((e) => e.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    // Paired with its input: what the table holds under each id is the event given at that place.
    const rows = await db.selectFrom('events').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual(ids);
    rows.forEach((row, i) => {
      const e = events[i]!;
      expect(row).toEqual({
        id: ids[i],
        topic: e.topic,
        type: e.type,
        owner_id: e.owner_id ?? null,
        rule_id: e.rule_id ?? null,
        payload: JSON.stringify(e.payload),
        ts: '2026-12-05T10:00:00.000Z',
        kpi_kind: null,
        kpi_ms: null,
      });
      expect(JSON.parse(row.payload)).toEqual(e.payload);
    });
  });

  it('returns events exactly as the SQLite appender does', async () => {
    const events: NewEvent[] = [
      { topic: 'alarms', type: 'alarm_raised', payload: { value: 1.5 }, rule_id: 3 },
      { topic: 'items', type: 'item_due', payload: { id: 'x' }, owner_id: 9 },
      { topic: 'config', type: 'plc_created', payload: {} },
    ];
    const ts = '2026-12-05T10:00:00.000Z';
    const stored = await append(db, events, ts);
    expect(stored).toStrictEqual(await append(lite, events, ts));
    // Another node reading the journal sees the very events this one appended.
    expect(await readEventsAfter(db, 0, 100)).toStrictEqual(stored);
    expect(await readEventsAfter(db, stored[0]!.id, 1)).toStrictEqual([stored[1]]);
  });

  it('continues the ids in a second call of the same transaction, and appends nothing for nothing', async () => {
    const [first, second, none] = await db.transaction().execute(async (trx) => [
      await appendEventsPg(trx, [{ topic: 'system', type: 'a', payload: {} }], 'ts'),
      await appendEventsPg(
        trx,
        [
          { topic: 'system', type: 'b', payload: {} },
          { topic: 'system', type: 'c', payload: {} },
        ],
        'ts',
      ),
      await appendEventsPg(trx, [], 'ts'),
    ]);
    expect([...first!, ...second!].map((e) => [e.id, e.type])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(none).toEqual([]);
  });
});

describe('the journal read back', () => {
  // The same journal on both sides: topics, owners, rules and times mixed.
  async function fill(target: Db) {
    const at = (minute: number) => `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z`;
    for (let minute = 0; minute < 6; minute++) {
      await append(
        target,
        [
          { topic: 'alarms', type: 'alarm_raised', payload: { minute, plc_id: minute % 3, user: null }, rule_id: 1 + (minute % 2) },
          { topic: 'items', type: 'item_changed', payload: { minute, text: 'a "b"' }, owner_id: 7 },
          { topic: 'items', type: 'item_changed', payload: {}, owner_id: 8 },
          { topic: 'config', type: 'rule_updated', payload: { minute, user: minute % 2 ? 'ann' : 'bob', plc_id: 1 }, rule_id: 2 },
        ],
        at(minute),
      );
    }
  }

  it('answers every query as SQLite does', async () => {
    await fill(db);
    await fill(lite);
    const queries = [
      (d: Db) => listEvents(d, { viewerId: null, limit: 100 }),
      (d: Db) => listEvents(d, { viewerId: 7, limit: 5, afterId: 3 }),
      (d: Db) => listEvents(d, { viewerId: 8, limit: 100, from: '2026-12-05T10:02:00.000Z', to: '2026-12-05T10:04:00.000Z' }),
      (d: Db) => listEvents(d, { ruleId: 2, viewerId: null, limit: 100 }),
      (d: Db) => listEvents(d, { ruleId: 2, viewerId: 7, limit: 3, afterId: 5 }),
      (d: Db) => listEvents(d, { ruleId: 1, viewerId: null, limit: 100, from: '2026-12-05T10:01:00.000Z' }),
      (d: Db) => listEvents(d, { ruleId: 99, viewerId: null, limit: 100 }),
      // Newest first, and the filters beyond SPEC 4 (README: history).
      (d: Db) => listEvents(d, { viewerId: 7, limit: 100, order: 'desc' }),
      (d: Db) => listEvents(d, { viewerId: 7, limit: 4, order: 'desc', afterId: 20 }),
      (d: Db) => listEvents(d, { ruleId: 2, viewerId: null, limit: 3, order: 'desc', afterId: 20 }),
      (d: Db) => listEvents(d, { viewerId: null, limit: 100, types: ['rule_updated', 'alarm_raised'], user: 'ann' }),
      (d: Db) => listEvents(d, { viewerId: null, limit: 100, plcId: 1 }),
      (d: Db) => listEvents(d, { ruleId: 1, viewerId: null, limit: 100, plcId: 2, order: 'desc' }),
      (d: Db) => listEvents(d, { viewerId: 7, limit: 100, topics: ['items', 'config'] }),
      (d: Db) => listEvents(d, { viewerId: 7, limit: 100, topics: [] }),
      (d: Db) => readReplayPage(d, { afterId: 0, upto: 24, topics: ['alarms', 'items'], viewerId: 7, limit: 4 }),
      (d: Db) => readReplayPage(d, { afterId: 10, upto: 24, topics: ['items'], viewerId: 8, limit: 100 }),
      (d: Db) => readReplayPage(d, { afterId: 0, upto: 24, topics: [], viewerId: 8, limit: 100 }),
      (d: Db) => journalRange(d),
    ];
    for (const query of queries) expect(await query(db)).toEqual(await query(lite));
    // Not trivially: the queries found something.
    expect((await listEvents(db, { ruleId: 2, viewerId: 7, limit: 3, afterId: 5 })).map((e) => e.id)).toEqual([8, 12, 13]);
    expect((await listEvents(db, { ruleId: 2, viewerId: null, limit: 3, order: 'desc', afterId: 20 })).map((e) => e.id)).toEqual([
      16, 13, 12,
    ]);
    expect(
      (await listEvents(db, { viewerId: null, limit: 100, types: ['rule_updated'], user: 'ann' })).map((e) => e.payload['minute']),
    ).toEqual([1, 3, 5]);
    expect(
      (await listEvents(db, { viewerId: null, limit: 100, plcId: 2, types: ['alarm_raised'] })).map((e) => e.payload['minute']),
    ).toEqual([2, 5]);
    const page = await readReplayPage(db, { afterId: 0, upto: 24, topics: ['alarms', 'items'], viewerId: 7, limit: 4 });
    expect(page.through).toBe(6);
    expect(JSON.parse(page.rows[1]!.json)).toEqual({
      id: 2,
      topic: 'items',
      type: 'item_changed',
      ts: '2026-12-05T10:00:00.000Z',
      minute: 0,
      text: 'a "b"',
    });
  });

  it('prunes as SQLite does, and never gives a pruned id out again', async () => {
    await fill(db);
    await fill(lite);
    for (const before of ['2026-12-05T10:02:00.000Z', '2026-12-05T11:00:00.000Z']) {
      expect(await pruneEvents(db, before)).toBe(await pruneEvents(lite, before));
      expect(await journalRange(db)).toEqual(await journalRange(lite));
    }
    expect(await journalRange(db)).toEqual({ first: 25, last: 24 });
    expect(await pruneEvents(db, '2026-12-05T11:00:00.000Z')).toBe(0);
    expect(await journalRange(db)).toEqual({ first: 25, last: 24 });

    const [next] = await append(db, [{ topic: 'system', type: 'after', payload: {} }], '2026-12-05T12:00:00.000Z');
    expect(next!.id).toBe(25);
    expect(await journalRange(db)).toEqual({ first: 25, last: 25 });
  });
});

describe('journalRange', () => {
  it('is empty before the first event', async () => {
    expect(await journalRange(db)).toEqual({ first: 1, last: 0 });
  });

  it('counts a pruned id newer than every kept one (nodes whose clocks disagree)', async () => {
    await append(db, [{ topic: 'system', type: 'fast clock', payload: {} }], '2026-03-01T00:00:00.000Z');
    await append(db, [{ topic: 'system', type: 'slow clock', payload: {} }], '2026-01-01T00:00:00.000Z');
    expect(await pruneEvents(db, '2026-02-01T00:00:00.000Z')).toBe(1);
    expect(await journalRange(db)).toEqual({ first: 1, last: 2 });
  });

  it('never counts an append that has not committed', async () => {
    await append(db, [{ topic: 'system', type: 'old', payload: {} }], '2026-01-01T00:00:00.000Z');
    await pruneEvents(db, '2026-02-01T00:00:00.000Z');
    expect(await journalRange(db)).toEqual({ first: 2, last: 1 });

    // An append holds its transaction open: its id is drawn from the sequence, not yet visible.
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let appended!: (id: number) => void;
    const drawn = new Promise<number>((resolve) => (appended = resolve));
    const open = db.transaction().execute(async (trx) => {
      const [e] = await appendEventsPg(trx, [{ topic: 'system', type: 'new', payload: {} }], '2026-03-01T00:00:00.000Z');
      appended(e!.id);
      await committing;
    });
    const id = await drawn;
    expect(id).toBe(2);
    // A stream starting now must start before it, or it would skip the event once it commits.
    expect(await journalRange(db)).toEqual({ first: 2, last: 1 });
    commit();
    await open;
    expect(await journalRange(db)).toEqual({ first: 2, last: 2 });
  });
});
