import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sqliteKpis from '../../db/migrations/2026-12-06T0011-kpis.js';
import * as postgresKpis from '../../db/migrations/postgres/2026-12-06T0005-kpis.js';
import { freshPostgres } from '../../test/helpers/postgres.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import { appendEventsPg, eventAppender, type NewEvent } from '../journal/events.js';
import { nodeSqlite } from '../runtime/node.js';
import { readTimelines, readWindowCounts, ruleNamesAt } from './kpi-journal.js';
import type { KpiTimeline } from './kpi-figures.js';

// What the KPIs read of the journal, on a real SQLite file and a real PostgreSQL database alike:
// events classified as they are appended (or by the migration, for those from before it), and
// read back by period as timelines, window counts and names.
let server: Awaited<ReturnType<typeof freshPostgres>>;
const dbs: Record<'sqlite' | 'postgres', Db> = {} as never;

beforeAll(async () => {
  server = await freshPostgres();
  dbs.postgres = openDatabase(server.url, () => {
    throw new Error('not SQLite');
  });
  dbs.sqlite = openDatabase(':memory:', nodeSqlite);
  await Promise.all([migrateToLatest(dbs.postgres), migrateToLatest(dbs.sqlite)]);
});
afterAll(async () => {
  await dbs.sqlite?.destroy();
  await dbs.postgres?.destroy();
  await server?.drop();
});

const base = Date.parse('2026-12-01T08:00:00.000Z');
const state = (rule: number, previous_state: string, to: string, extra: Record<string, unknown> = {}): NewEvent => ({
  topic: 'alarms',
  type: 'alarm_state',
  rule_id: rule,
  payload: {
    rule_id: rule,
    rule_name: `Rule ${rule}`,
    previous_state,
    state: to,
    severity: rule === 2 ? 'critical' : 'low',
    shelved: false,
    ...extra,
  },
});
const ack = (rule: number): NewEvent => ({
  topic: 'alarms',
  type: 'alarm_ack',
  rule_id: rule,
  payload: { rule_id: rule, user: 'op', comment: null },
});

/** A journal of a few minutes, at `ms` after `base` each; what it means to the KPIs is beside it. */
const JOURNAL: [number, NewEvent][] = [
  [0, state(1, 'OK', 'WARNING')], // annunciation, low
  [5_000, state(1, 'WARNING', 'ALARM')],
  [20_000, ack(1)],
  [30_000, state(2, 'OK', 'UNKNOWN')], // annunciation, critical
  [40_000, state(3, 'OK', 'ALARM', { shelved: true })], // shelved: not one
  [60_000, state(1, 'ALARM', 'OK')],
  [610_000, state(1, 'OK', 'ALARM', { rule_name: 'Rule 1 renamed' })], // annunciation, next window
  [620_000, { topic: 'config', type: 'rule_updated', rule_id: 1, payload: { previous_state: 'OK', state: 'ALARM', severity: 'low' } }],
];

async function journal(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  for (const [ms, event] of JOURNAL) {
    const ts = new Date(base + ms).toISOString();
    if (dialect === 'sqlite') eventAppender(db)([event], ts);
    else await db.transaction().execute((trx) => appendEventsPg(trx, [event], ts));
  }
}

const sorted = (lines: KpiTimeline[]) =>
  lines.map((l) => ({ ...l, times: Array.from(l.times) })).sort((a, b) => a.rule_id - b.rule_id || a.kind - b.kind);
const period = { from: base, to: base + 3_600_000 };

describe.each(['sqlite', 'postgres'] as const)('the KPI rows on %s', (dialect) => {
  it('are classified as they are journaled and read back by period', async () => {
    const db = dbs[dialect];
    await sql`delete from events`.execute(db);
    await journal(db, dialect);
    expect(sorted(await readTimelines(db, period))).toEqual([
      { rule_id: 1, kind: 0, times: [base + 20_000] },
      { rule_id: 1, kind: 1, times: [base, base + 610_000] },
      { rule_id: 2, kind: 4, times: [base + 30_000] },
    ]);
    expect(sorted(await readTimelines(db, { from: base + 1, to: base + 610_000 }))).toEqual([
      { rule_id: 1, kind: 0, times: [base + 20_000] },
      { rule_id: 2, kind: 4, times: [base + 30_000] },
    ]);
    const windows = await readWindowCounts(db, period);
    expect([...windows.counts]).toEqual([2, 1, 0, 0, 0, 0]);
    const names = await ruleNamesAt(db, [
      { rule_id: 1, at: base + 610_000 },
      { rule_id: 2, at: base + 30_000 },
    ]);
    expect(Object.fromEntries(names)).toEqual({ 1: 'Rule 1 renamed', 2: 'Rule 2' });
  });

  it('are classified by the migration for events journaled before it, as the journal would', async () => {
    const db = dbs[dialect];
    const migration = dialect === 'sqlite' ? sqliteKpis : postgresKpis;
    await sql`delete from events`.execute(db);
    await journal(db, dialect);
    const classified = await sql<{
      id: number;
      kpi_kind: number | null;
      kpi_ms: number | null;
    }>`select id, kpi_kind, kpi_ms from events order by id`.execute(db);
    await migration.down(db);
    await migration.up(db);
    expect((await sql`select id, kpi_kind, kpi_ms from events order by id`.execute(db)).rows).toEqual(classified.rows);
    expect(classified.rows.filter((r) => r.kpi_kind !== null)).toHaveLength(4);
  });
});
