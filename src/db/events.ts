import { sql, type Selectable } from 'kysely';
import { dialectOf, preparedOnce, sqliteHandle, type Db, type Statement } from './database.js';
import type { EventsTable } from './schema.js';

export type Topic = 'alarms' | 'config' | 'system' | 'items';

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
    'insert into events (topic, type, owner_id, rule_id, payload, ts) values (?, ?, ?, ?, ?, ?)',
  );
  return function appendEvents(events: NewEvent[], ts: string): JournalEvent[] {
    return events.map((e) => {
      const owner_id = e.owner_id ?? null;
      const rule_id = e.rule_id ?? null;
      const { lastInsertRowid } = insert.run(e.topic, e.type, owner_id, rule_id, JSON.stringify(e.payload), ts);
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
  const { rows } = await sql<{ id: number }>`
    insert into events (topic, type, owner_id, rule_id, payload, ts)
    select topic, type, owner_id, rule_id, payload, ${ts}::text
    from unnest(${topics}::text[], ${types}::text[], ${owners}::bigint[], ${rules}::bigint[], ${payloads}::text[])
      with ordinality as e(topic, type, owner_id, rule_id, payload, n)
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

export interface EventQuery {
  afterId?: number | undefined;
  ruleId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Events of other owners are never returned; null sees only ownerless events. */
  viewerId: number | null;
  limit: number;
}

/** Reads events oldest first, for history pages and stream replay. */
export async function listEvents(db: Db, q: EventQuery): Promise<JournalEvent[]> {
  const { ruleId } = q;
  if (ruleId === undefined) return (await eventQuery(db, q).execute()).map(toJournalEvent);
  // SQLite's index on rule is by block of ids (migration 0004); PostgreSQL's is on (rule_id, id).
  if (dialectOf(db) === 'sqlite') return listRuleEvents(db, q, ruleId);
  return (await eventQuery(db, q).where('rule_id', '=', ruleId).execute()).map(toJournalEvent);
}

function eventQuery(db: Db, q: EventQuery) {
  let query = db.selectFrom('events').selectAll().orderBy('id').limit(q.limit);
  if (q.afterId !== undefined) query = query.where('id', '>', q.afterId);
  if (q.from !== undefined) query = query.where('ts', '>=', q.from);
  if (q.to !== undefined) query = query.where('ts', '<', q.to);
  const viewer = q.viewerId;
  return viewer === null
    ? query.where('owner_id', 'is', null)
    : query.where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', viewer)]));
}

/**
 * Ids per block of the `events_rule` index: migration 0004 indexes `(id >> 12, rule_id)`, and
 * SQLite uses that index only for a query that repeats the expression exactly as written there.
 */
const BLOCK = 4096;
const IN_BLOCK = 'id >> 12 = ?';
const blockOf = (id: number) => Math.floor(id / BLOCK); // ids pass 2^31; `>>` would wrap

const ruleStatements = new WeakMap<Db, Map<string, Statement>>();

/**
 * One rule's events, walking the index block by block from `afterId` until the page is full:
 * each block is one seek of a prepared statement (a 1M-event journal is 245 blocks). It runs
 * holding Kysely's connection, so it never reads a transaction that is still open.
 */
async function listRuleEvents(db: Db, q: EventQuery, ruleId: number): Promise<JournalEvent[]> {
  const { first, last } = await journalRange(db);
  const after = Math.max(first - 1, q.afterId ?? 0);
  if (after >= last) return [];
  const where = [IN_BLOCK, 'rule_id = ?', 'id > ?'];
  const filters: unknown[] = [];
  if (q.from !== undefined) where.push('ts >= ?'), filters.push(q.from);
  if (q.to !== undefined) where.push('ts < ?'), filters.push(q.to);
  if (q.viewerId === null) where.push('owner_id is null');
  else where.push('(owner_id is null or owner_id = ?)'), filters.push(q.viewerId);
  const sql = `select * from events where ${where.join(' and ')} order by id limit ?`;
  let cache = ruleStatements.get(db);
  if (!cache) ruleStatements.set(db, (cache = new Map()));
  let inBlock = cache.get(sql);
  if (!inBlock) cache.set(sql, (inBlock = sqliteHandle(db).prepare(sql)));
  const statement = inBlock;

  return db.connection().execute(async () => {
    const rows: JournalEvent[] = [];
    for (let block = blockOf(after + 1); block <= blockOf(last) && rows.length < q.limit; block++) {
      const found = statement.all(block, ruleId, after, ...filters, q.limit - rows.length) as Selectable<EventsTable>[];
      for (const row of found) rows.push(toJournalEvent(row));
    }
    return rows;
  });
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

function toJournalEvent(row: Selectable<EventsTable>): JournalEvent {
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
