import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../../test/helpers/postgres.js';
import type { AlarmRecord } from '../engine/index.js';
import { nodeSqlite } from '../runtime/node.js';
import { alarmStateWriter, listAlarmStates, saveAlarmStatesPg } from '../journal/alarm-states.js';
import { isUniqueViolation, onUniqueViolation } from './constraint.js';
import { migrateToLatest, openDatabase, pgPool, type Db } from './database.js';
import { findPlc, insertPlc } from '../plant/plc-repository.js';
import { bumpTokenVersion, countUsers, findAccount, findCredentials, insertUser, updateUser } from '../auth/user-repository.js';

// The repositories in src/db on PostgreSQL: what SQLite did by itself (case-insensitive names,
// its error codes, any integer id) and the tables a cluster shares.
const noSqlite = () => {
  throw new Error('a postgres:// location must not open SQLite');
};
const now = '2026-12-05T10:00:00.000Z';

let server: Awaited<ReturnType<typeof freshPostgres>>;
let db: Db;

beforeAll(async () => {
  server = await freshPostgres();
  db = openDatabase(server.url, noSqlite);
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await server?.drop();
});

const rejection = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('users', () => {
  it('are unique and found ignoring case, under the spelling they were given', async () => {
    const alice = await insertUser(db, { username: 'Alice', passwordHash: 'h', role: 'admin' }, now);
    const err = await rejection(insertUser(db, { username: 'aLICE', passwordHash: 'h', role: 'viewer' }, now));
    expect(isUniqueViolation(err)).toBe(true);

    const found = await findCredentials(db, 'ALICE');
    expect(found).toEqual({ user: { id: alice.id, username: 'Alice', role: 'admin' }, passwordHash: 'h', tokenVersion: 0 });
    expect(await findCredentials(db, 'bob')).toBeUndefined();
    // PostgreSQL refuses a NUL in text; a sign-in with one is simply nobody.
    expect(await findCredentials(db, 'Alice\0')).toBeUndefined();

    const bob = await insertUser(db, { username: 'bob', passwordHash: 'h', role: 'viewer' }, now);
    expect(isUniqueViolation(await rejection(updateUser(db, bob.id, { username: 'ALICE' }, now)))).toBe(true);
    expect(await countUsers(db)).toBe(2);
    expect(await countUsers(db, 'admin')).toBe(1);
  });

  it('carry the token version their tokens must match', async () => {
    const carol = await insertUser(db, { username: 'carol', passwordHash: 'h', role: 'operator' }, now);
    expect(await findAccount(db, carol.id)).toEqual({ user: carol, tokenVersion: 0 });
    await bumpTokenVersion(db, carol.id);
    expect(await findAccount(db, carol.id)).toEqual({ user: carol, tokenVersion: 1 });
    expect(await db.transaction().execute((trx) => findAccount(trx, carol.id))).toEqual({ user: carol, tokenVersion: 1 });
  });
});

describe('ids', () => {
  it('of any size the API accepts are looked up, not refused', async () => {
    // An integer (int4) column would fail these with 22003; SQLite would simply find nothing.
    expect(await findPlc(db, 3_000_000_000)).toBeUndefined();
    expect(await findAccount(db, Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });

  it('taken by another row are a unique violation', async () => {
    const plc = { name: 'P1', host: 'h', port: 502, unit_id: 1, poll_interval_ms: 1000, timeout_ms: 1000, max_in_flight: 1, enabled: true };
    const first = await insertPlc(db, plc, now);
    expect(first).toMatchObject({ name: 'P1', enabled: true, max_in_flight: 1 });
    expect(typeof first.id).toBe('number');
    await expect(onUniqueViolation(insertPlc(db, plc, now), () => new Error('taken'))).rejects.toThrow('taken');
  });
});

describe('saveAlarmStatesPg', () => {
  const record = (rule_id: number, state: AlarmRecord['state'], since: number): AlarmRecord => ({
    rule_id,
    state,
    acked: state === 'OK',
    shelved_until: rule_id % 2 === 0 ? since + 60_000 : null,
    since,
    value: state === 'OK' ? null : rule_id + 0.25,
    // out of service, with a comment a quote could break, on every third rule
    out_of_service: rule_id % 3 === 0 ? { since: since - 1, user: 'admin', comment: "pump 'P-1' out" } : null,
    escalation: state === 'OK' ? 0 : 2,
    unacked_since: state === 'OK' ? null : since,
    escalated_at: state === 'OK' ? null : since + 20_000,
  });
  const byRule = (rows: AlarmRecord[]) => [...rows].sort((a, b) => a.rule_id - b.rule_id);

  it('stores what the SQLite writer stores: the last record of a rule wins, gone comes after', async () => {
    const batches: [AlarmRecord[], number[]][] = [
      [[record(1, 'ALARM', 1_733_000_000_000), record(2, 'WARNING', 1_733_000_000_001), record(3, 'ALARM', 1_733_000_000_002)], []],
      // Rule 1 twice in one batch, rule 3 both saved and gone, rule 2 gone, rule 9 never stored.
      [
        [
          record(1, 'WARNING', 1_733_000_001_000),
          record(4, 'ALARM', 1_733_000_001_000),
          record(1, 'OK', 1_733_000_002_000),
          record(3, 'OK', 1),
        ],
        [3, 2, 9],
      ],
      [[], []],
    ];
    const lite = openDatabase(':memory:', nodeSqlite);
    try {
      await migrateToLatest(lite);
      const saveLite = alarmStateWriter(lite);
      for (const [records, gone] of batches) {
        await db.transaction().execute((trx) => saveAlarmStatesPg(trx, records, gone));
        saveLite(records, gone);
      }
      const stored = byRule(await listAlarmStates(db));
      expect(stored).toEqual(byRule(await listAlarmStates(lite)));
      expect(stored).toEqual([record(1, 'OK', 1_733_000_002_000), record(4, 'ALARM', 1_733_000_001_000)]);
    } finally {
      await lite.destroy();
    }
  });

  it('stores thousands in one call', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => record(10_000 + i, 'ALARM', 1_733_000_000_000 + i));
    await saveAlarmStatesPg(db, records, []);
    const stored = (await listAlarmStates(db)).filter((r) => r.rule_id >= 10_000);
    expect(byRule(stored)).toEqual(records);
    await saveAlarmStatesPg(
      db,
      [],
      records.map((r) => r.rule_id),
    );
    expect((await listAlarmStates(db)).filter((r) => r.rule_id >= 10_000)).toEqual([]);
  });
});

describe('the tables a cluster shares', () => {
  it('hold rate-limiter-flexible counts without it creating its table', async () => {
    const limiter = new RateLimiterPostgres({
      storeClient: pgPool(db),
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      points: 2,
      duration: 60,
    });
    const first = await limiter.consume('alice');
    expect(first.remainingPoints).toBe(1);
    expect(first.msBeforeNext).toBeGreaterThan(0);
    await limiter.consume('alice');
    await expect(limiter.consume('alice')).rejects.toMatchObject({ remainingPoints: 0 });
  });

  it('hold stream tickets and cluster nodes', async () => {
    const ticket = { ticket: 't1', user_id: 1, token_version: 0, session_expires_at: 1_733_000_900_000, expires_at: 1_733_000_030_000 };
    await db.insertInto('stream_tickets').values(ticket).execute();
    expect(await db.selectFrom('stream_tickets').selectAll().execute()).toEqual([ticket]);

    const started = new Date('2026-12-05T10:00:00.000Z');
    await db.insertInto('cluster_nodes').values({ name: 'a:1', started_at: started, last_seen: now }).execute();
    expect(await db.selectFrom('cluster_nodes').selectAll().execute()).toEqual([
      { name: 'a:1', started_at: started, last_seen: started, suppressed: '[]' },
    ]);
  });
});
