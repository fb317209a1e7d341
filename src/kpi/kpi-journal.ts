import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/database.js';
import type { KpiTimeline } from './kpi-figures.js';
import type { KpiKind } from './kpi-kind.js';
import type { KpiPeriod } from './kpi-period.js';
import { emptyWindows, WINDOW_MS, type WindowCounts } from './windows.js';

// What KPIs read of the journal. Only rows with a `kpi_kind` (annunciations and acks, classified
// as they are journaled: src/kpi/kpi-kind.ts) are in the partial index `events_kpi` on
// (kpi_ms, rule_id, kpi_kind), so a period is one range of a narrow index, never a payload.

/**
 * The period is read a day at a time, so that one slice's text stays a few MB however long the
 * period (a day of 400k KPI rows is ~7 MB).
 */
const SLICE_MS = 86_400_000;

/**
 * Every rule's annunciations (one timeline per severity) and acks in the period. The database
 * hands each slice over as one string, `ms,rule,kind,...` (ms after the slice's start), and
 * the rows are grouped here: a row costs a fraction of what a result row of its own costs in
 * either driver, and a GROUP BY would make the database sort them first.
 */
export async function readTimelines(db: Db, period: KpiPeriod): Promise<KpiTimeline[]> {
  const read = dialectOf(db) === 'postgres' ? sliceTextPg : sliceTextSqlite;
  const byRuleAndKind = new Map<number, number[]>();
  for (let from = period.from; from < period.to; from += SLICE_MS) {
    const text = await read(db, from, Math.min(period.to, from + SLICE_MS));
    if (text) groupRows(text, from, byRuleAndKind);
  }
  const timelines: KpiTimeline[] = [];
  for (const [key, times] of byRuleAndKind) {
    timelines.push({ rule_id: Math.floor(key / 8), kind: (key % 8) as KpiKind, times: ascending(times) });
  }
  return timelines;
}

/** Parses `ms,rule,kind,ms,rule,kind,...` (non-negative integers) into lists by `rule * 8 + kind`. */
function groupRows(text: string, base: number, into: Map<number, number[]>): void {
  const COMMA = 44;
  const ZERO = 48;
  let field = 0;
  let value = 0;
  let ms = 0;
  let rule = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : COMMA;
    if (c !== COMMA) {
      value = value * 10 + (c - ZERO);
      continue;
    }
    if (field === 0) ms = base + value;
    else if (field === 1) rule = value;
    else {
      const key = rule * 8 + value;
      const list = into.get(key);
      if (list) list.push(ms);
      else into.set(key, [ms]);
    }
    field = (field + 1) % 3;
    value = 0;
  }
}

/** In index order the times come ascending; a plan that scans otherwise is sorted here. */
function ascending(times: number[]): number[] {
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) return times.sort((a, b) => a - b);
  return times;
}

/** better-sqlite3 binds every number as a real: `from` is cast, or the text would read `5.0`. */
async function sliceTextSqlite(db: Db, from: number, to: number): Promise<string | null> {
  const { rows } = await sql<{ text: string | null }>`
    select group_concat((kpi_ms - cast(${from} as integer)) || ',' || rule_id || ',' || kpi_kind) as text
    from events where kpi_kind is not null and kpi_ms >= ${from} and kpi_ms < ${to}`.execute(db);
  return rows[0]?.text ?? null;
}

/**
 * PostgreSQL plans this above `jit_above_cost` for a long slice, and compiling it costs more than
 * it saves on an index-only scan (~100 ms of 400): JIT off, for this transaction only.
 */
async function sliceTextPg(db: Db, from: number, to: number): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    const { rows } = await sql<{ text: string | null }>`
      select string_agg((kpi_ms - ${from}::bigint) || ',' || rule_id || ',' || kpi_kind, ',') as text
      from events where kpi_kind is not null and kpi_ms >= ${from}::bigint and kpi_ms < ${to}::bigint`.execute(trx);
    return rows[0]?.text ?? null;
  });
}

/**
 * Annunciations per 10-minute window of the period, counted in SQL: `kpi_ms / WINDOW_MS` is
 * integer division on both dialects (the divisor a literal: SQLite would divide by a bound
 * number as a real), which is `windowOf` for times after 1970.
 */
export async function readWindowCounts(db: Db, { from, to }: KpiPeriod): Promise<WindowCounts> {
  const { rows } = await sql<{ w: number; n: number }>`
    select kpi_ms / ${sql.lit(WINDOW_MS)} as w, count(*) as n
    from events where kpi_kind is not null and kpi_kind > 0 and kpi_ms >= ${from} and kpi_ms < ${to}
    group by kpi_ms / ${sql.lit(WINDOW_MS)}`.execute(db);
  const windows = emptyWindows(from, to);
  for (const row of rows) windows.counts[Number(row.w) - windows.first] = Number(row.n);
  return windows;
}

/**
 * The name each rule had at an annunciation of it (its newest in the period, say), read from
 * that event: one seek of the KPI index per rule, so a rule deleted since is named too.
 */
export async function ruleNamesAt(db: Db, annunciations: readonly { rule_id: number; at: number }[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for (const { rule_id, at } of annunciations) {
    const row = await db
      .selectFrom('events')
      .select('payload')
      .where('kpi_kind', 'is not', null)
      .where('kpi_ms', '=', at)
      .where('rule_id', '=', rule_id)
      .where('kpi_kind', '>', 0)
      .limit(1)
      .executeTakeFirst();
    const name = row && (JSON.parse(row.payload) as { rule_name?: unknown }).rule_name;
    if (typeof name === 'string') names.set(rule_id, name);
  }
  return names;
}
