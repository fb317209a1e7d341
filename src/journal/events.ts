import * as v from 'valibot';
import { sql, type Selectable } from 'kysely';
import { dialectOf, preparedOnce, sqliteHandle, type Db } from '../db/database.js';
import type { EventsTable } from '../db/schema.js';
import { TOPICS, type Topic } from '../kernel/enums.js';
import { kpiKindOf, kpiTimeOf } from '../kpi/kpi-kind.js';

/** An event about to be journaled. `payload` never holds id, topic, type or ts. */
export interface NewEvent {
  topic: Topic;
  type: string;
  payload: Record<string, unknown>;
  owner_id?: number | null;
  rule_id?: number | null;
}

/** A journaled event: the journal's id is its identity everywhere (history, WS, SSE). */
export interface JournalEvent {
  id: number;
  topic: Topic;
  type: string;
  ts: string;
  owner_id: number | null;
  rule_id: number | null;
  payload: Record<string, unknown>;
}

/**
 * Appends events with one prepared statement; run it inside a transaction (the journal does).
 * A prepared statement per row beats one big Kysely insert by several times at 1000s of rows.
 * SQLite only, and synchronous; PostgreSQL's counterpart is `appendEventsPg`.
 */
export function eventAppender(db: Db) {
  const insert = sqliteHandle(db).prepare(
    'insert into events (topic, type, owner_id, rule_id, payload, ts, kpi_kind, kpi_ms) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  return function appendEvents(events: NewEvent[], ts: string): JournalEvent[] {
    const ms = kpiTimeOf(ts);
    return events.map((e) => {
      const owner_id = e.owner_id ?? null;
      const rule_id = e.rule_id ?? null;
      const kind = kpiKindOf(e.type, e.payload);
      const { lastInsertRowid } = insert.run(
        e.topic,
        e.type,
        owner_id,
        rule_id,
        JSON.stringify(e.payload),
        ts,
        kind,
        kind === null ? null : ms,
      );
      return { id: Number(lastInsertRowid), topic: e.topic, type: e.type, ts, owner_id, rule_id, payload: e.payload };
    });
  };
}

/**
 * Appends events on PostgreSQL in one statement, however many (thousands per poll cycle): a row
 * per statement would cost a round trip each. Run it inside the journal's transaction, which
 * also orders appends across the cluster (src/journal/postgres-journal-store.ts).
 */
export async function appendEventsPg(trx: Db, events: NewEvent[], ts: string): Promise<JournalEvent[]> {
  if (events.length === 0) return [];
  const topics = events.map((e) => e.topic);
  const types = events.map((e) => e.type);
  const owners = events.map((e) => e.owner_id ?? null);
  const rules = events.map((e) => e.rule_id ?? null);
  const payloads = events.map((e) => JSON.stringify(e.payload));
  const kinds = events.map((e) => kpiKindOf(e.type, e.payload));
  const { rows } = await sql<{ id: number }>`
    insert into events (topic, type, owner_id, rule_id, payload, ts, kpi_kind, kpi_ms)
    select topic, type, owner_id, rule_id, payload, ${ts}::text, kpi_kind, case when kpi_kind is null then null else ${kpiTimeOf(ts)}::bigint end
    from unnest(${topics}::text[], ${types}::text[], ${owners}::bigint[], ${rules}::bigint[], ${payloads}::text[], ${kinds}::integer[])
      with ordinality as e(topic, type, owner_id, rule_id, payload, kpi_kind, n)
    order by n
    returning id`.execute(trx);
  if (rows.length !== events.length) throw new Error(`appended ${rows.length} of ${events.length} events`);
  // The identity default draws its id as each row reaches the insert, and `order by n` hands
  // them over in input order, so ids ascend with the input. RETURNING promises no order, and
  // ids need not be consecutive (another session may draw between), hence the sort.
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  return events.map((e, i) => ({
    id: ids[i]!,
    topic: e.topic,
    type: e.type,
    ts,
    owner_id: owners[i]!,
    rule_id: rules[i]!,
    payload: e.payload,
  }));
}

/**
 * Every event with an id above `afterId`, whoever owns it, oldest first: what a cluster node
 * reads of the journal to hand on to its hub, which filters per client.
 */
export async function readEventsAfter(db: Db, afterId: number, limit: number): Promise<JournalEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map(toJournalEvent);
}

/** One event of a replay, with its client JSON built from the stored text (no parse, no stringify). */
export interface ReplayRow {
  id: number;
  topic: Topic;
  type: string;
  owner_id: number | null;
  rule_id: number | null;
  json: string;
}

export interface ReplayQuery {
  /** Events with ids in (afterId, upto]; keep the span bounded so one query stays short. */
  afterId: number;
  upto: number;
  topics: readonly Topic[];
  viewerId: number;
  limit: number;
}

/**
 * A page of a stream's replay, filtered by topic and owner in SQL. `through` is the id the next
 * page starts after: the last row's when the page is full, else `upto` (nothing more in range).
 * It scans at most `upto - afterId` rows of the primary key, however sparse the matches are.
 */
export async function readReplayPage(db: Db, q: ReplayQuery): Promise<{ rows: ReplayRow[]; through: number }> {
  if (q.topics.length === 0 || q.upto <= q.afterId) return { rows: [], through: Math.max(q.afterId, q.upto) };
  const found = await db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', q.afterId)
    .where('id', '<=', q.upto)
    .where('topic', 'in', [...q.topics])
    .where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', q.viewerId)]))
    .orderBy('id')
    .limit(q.limit)
    .execute();
  const rows = found.map((r) => ({
    id: r.id,
    topic: r.topic as Topic,
    type: r.type,
    owner_id: r.owner_id,
    rule_id: r.rule_id,
    json: eventJson(r),
  }));
  return { rows, through: rows.length === q.limit ? rows.at(-1)!.id : q.upto };
}

/** `eventBody` as JSON, spliced from the stored payload text: `{"id",...,"ts",<payload fields>}`. */
function eventJson(r: Selectable<EventsTable>): string {
  const head = `{"id":${r.id},"topic":${JSON.stringify(r.topic)},"type":${JSON.stringify(r.type)},"ts":${JSON.stringify(r.ts)}`;
  return r.payload === '{}' ? `${head}}` : `${head},${r.payload.slice(1)}`;
}

/** The oldest kept and the newest id; for an empty journal `first` is `last + 1`. */
export async function journalRange(db: Db): Promise<{ first: number; last: number }> {
  if (dialectOf(db) === 'postgres') return journalRangePg(db);
  // Two subqueries: SQLite answers a lone min() or max() from the b-tree's edge, but
  // `select min(id), max(id)` scans the whole table. Every stream asks once: a prepared statement.
  const row = rangeStatement(db).get() as { first: number | null; last: number | null; seq: number | null };
  // Empty, maybe after pruning: AUTOINCREMENT remembers the highest id ever given.
  if (row.last === null) return { first: (row.seq ?? 0) + 1, last: row.seq ?? 0 };
  return { first: row.first!, last: row.last };
}

const rangeStatement = preparedOnce(
  `select (select min(id) from events) as first, (select max(id) from events) as last,
          (select seq from sqlite_sequence where name = 'events') as seq`,
);

/** The newest id pruneEvents removed on PostgreSQL, kept in `settings`. */
const PRUNED_THROUGH = 'events_pruned_through';

/**
 * PostgreSQL: the newest id is that of a kept event or of a pruned one, never the identity
 * sequence's last value. A sequence is not transactional: it counts ids of appends still in
 * flight, or rolled back, and a stream told one of those as its start would skip that event
 * once it commits. (A pruned id can pass the kept ones when nodes' clocks disagree on `ts`.)
 */
async function journalRangePg(db: Db): Promise<{ first: number; last: number }> {
  const { rows } = await sql<{ first: number | null; last: number | null; pruned: string | null }>`
    select (select min(id) from events) as first, (select max(id) from events) as last,
           (select value from settings where key = ${PRUNED_THROUGH}) as pruned`.execute(db);
  const row = rows[0]!;
  const last = Math.max(row.last ?? 0, Number(row.pruned ?? 0));
  return { first: row.first ?? last + 1, last };
}

/** A stored row as the journal event it holds. */
export function toJournalEvent(row: Selectable<EventsTable>): JournalEvent {
  return {
    id: row.id,
    topic: row.topic as Topic,
    type: row.type,
    ts: row.ts,
    owner_id: row.owner_id,
    rule_id: row.rule_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  };
}

/** An event as clients see it (SPEC 5): the payload's fields, which differ by type, beside these. */
export const EventBody = v.looseObject({ id: v.number(), topic: v.picklist(TOPICS), type: v.string(), ts: v.string() });

/** The event as clients see it: the payload's fields beside id, topic, type and ts. */
export function eventBody(e: JournalEvent): Record<string, unknown> {
  return { id: e.id, topic: e.topic, type: e.type, ts: e.ts, ...e.payload };
}

/** Deletes events older than `beforeTs`; ids are never reused, so resumes past the gap are detected. */
export async function pruneEvents(db: Db, beforeTs: string): Promise<number> {
  if (dialectOf(db) === 'postgres') return pruneEventsPg(db, beforeTs);
  const result = await db.deleteFrom('events').where('ts', '<', beforeTs).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One statement, so the newest pruned id (journalRangePg) is stored with the delete or not at all. */
async function pruneEventsPg(db: Db, beforeTs: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with gone as (delete from events where ts < ${beforeTs} returning id),
    through as (
      insert into settings (key, value) select ${PRUNED_THROUGH}, max(id)::text from gone having count(*) > 0
      on conflict (key) do update set value = greatest(settings.value::bigint, excluded.value::bigint)::text
    )
    select count(*) as n from gone`.execute(db);
  return rows[0]!.n;
}
