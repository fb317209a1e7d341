import { sql, type Selectable, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { dialectOf, sqliteHandle, type Db, type Statement } from '../db/database.js';
import type { Topic } from '../kernel/enums.js';
import { journalRange, toJournalEvent, type JournalEvent } from './events.js';
import type { Database, EventsTable } from '../db/schema.js';

/** A page of history: which events, in which order, from where. */
export interface EventQuery {
  /** The cursor: events past this id in `order` (ascending: newer ones; descending: older ones). */
  afterId?: number | undefined;
  /** Oldest first (SPEC 4, the default) or newest first. */
  order?: 'asc' | 'desc' | undefined;
  ruleId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Only these topics (what the reader may read); every topic when absent. */
  topics?: readonly Topic[] | undefined;
  types?: readonly string[] | undefined;
  /** Only events whose `user` (who acted) is this username. */
  user?: string | undefined;
  /** Only events about this PLC: those naming it (`plc_id`), and those of the rules on it now. */
  plcId?: number | undefined;
  /** Events of other owners are never returned; null sees only ownerless events. */
  viewerId: number | null;
  limit: number;
}

/** Reads a page of history in id order, for history pages and exports. */
export async function listEvents(db: Db, q: EventQuery): Promise<JournalEvent[]> {
  if (q.topics?.length === 0 || q.types?.length === 0) return [];
  // SQLite's index on rule is by block of ids (migration 0004); PostgreSQL's is on (rule_id, id).
  if (q.ruleId !== undefined && dialectOf(db) === 'sqlite') return listRuleEvents(db, q);
  return (await filtered(db, q, db.selectFrom('events')).limit(q.limit).execute()).map(toJournalEvent);
}

type EventsSelect = SelectQueryBuilder<Database, 'events', object>;

/** `query` with every filter of `q`, ordered; both dialects and both ways of reading share it. */
function filtered(db: Db, q: EventQuery, query: EventsSelect) {
  const desc = q.order === 'desc';
  let s = query.selectAll();
  if (q.afterId !== undefined) s = s.where('id', desc ? '<' : '>', q.afterId);
  if (q.ruleId !== undefined) s = s.where('rule_id', '=', q.ruleId);
  if (q.from !== undefined) s = s.where('ts', '>=', q.from);
  if (q.to !== undefined) s = s.where('ts', '<', q.to);
  if (q.topics !== undefined) s = s.where('topic', 'in', [...q.topics]);
  if (q.types !== undefined) s = s.where('type', 'in', [...q.types]);
  if (q.user !== undefined) s = s.where(payloadEquals(db, 'user', q.user));
  const { plcId, viewerId } = q;
  if (plcId !== undefined) {
    s = s.where((eb) =>
      eb.or([
        payloadEquals(db, 'plc_id', plcId),
        // Acks, shelving and escalations name only their rule.
        eb(
          'rule_id',
          'in',
          eb
            .selectFrom('rules')
            .innerJoin('datapoints', 'datapoints.id', 'rules.datapoint_id')
            .select('rules.id')
            .where('datapoints.plc_id', '=', plcId),
        ),
      ]),
    );
  }
  s =
    viewerId === null
      ? s.where('owner_id', 'is', null)
      : s.where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', viewerId)]));
  return s.orderBy('id', desc ? 'desc' : 'asc');
}

/** A payload field equals a value; `field` is ours, never the caller's. */
function payloadEquals(db: Db, field: 'user' | 'plc_id', value: string | number) {
  return dialectOf(db) === 'sqlite'
    ? sql<SqlBool>`json_extract(payload, ${sql.raw(`'$.${field}'`)}) = ${value}`
    : sql<SqlBool>`(payload::jsonb ->> ${sql.raw(`'${field}'`)}) = ${String(value)}`;
}

/**
 * Ids per block of the `events_rule` index: migration 0004 indexes `(id >> 12, rule_id)`, and
 * SQLite uses that index only for a query that repeats the expression as written there.
 */
const BLOCK = 4096;
const blockOf = (id: number) => Math.floor(id / BLOCK); // ids pass 2^31; `>>` would wrap
// Stand-ins for the two parameters that change per block, so the query compiles once.
const BLOCK_PROBE = -1;
const LIMIT_PROBE = -2;

const ruleStatements = new WeakMap<Db, Map<string, Statement>>();

/**
 * One rule's events on SQLite, walking the index block by block from the cursor (either way)
 * until the page is full: each block is one seek of a prepared statement (a 1M-event journal is
 * 245 blocks). It runs holding Kysely's connection, so it never reads a transaction still open.
 */
async function listRuleEvents(db: Db, q: EventQuery): Promise<JournalEvent[]> {
  const { first, last } = await journalRange(db);
  const desc = q.order === 'desc';
  // The cursor, clamped to the ids kept, so the walk starts at a block that holds events.
  const cursor = desc ? Math.min(last + 1, q.afterId ?? last + 1) : Math.max(first - 1, q.afterId ?? 0);
  const [low, high] = desc ? [first, cursor - 1] : [cursor + 1, last];
  if (low > high) return [];

  const inBlock = db.selectFrom('events').where(sql`id >> 12`, '=', BLOCK_PROBE);
  const compiled = filtered(db, { ...q, afterId: cursor }, inBlock)
    .limit(LIMIT_PROBE)
    .compile();
  const params = compiled.parameters;
  if (params[0] !== BLOCK_PROBE || params.at(-1) !== LIMIT_PROBE) throw new Error('history by rule: unexpected parameter order');
  const fixed = params.slice(1, -1);
  let cache = ruleStatements.get(db);
  if (!cache) ruleStatements.set(db, (cache = new Map()));
  let prepared = cache.get(compiled.sql);
  if (!prepared) cache.set(compiled.sql, (prepared = sqliteHandle(db).prepare(compiled.sql)));
  const statement = prepared;

  return db.connection().execute(async () => {
    const rows: JournalEvent[] = [];
    const [from, to, step] = desc ? [blockOf(high), blockOf(low), -1] : [blockOf(low), blockOf(high), 1];
    for (let block = from; step * (to - block) >= 0 && rows.length < q.limit; block += step) {
      const found = statement.all(block, ...fixed, q.limit - rows.length) as Selectable<EventsTable>[];
      for (const row of found) rows.push(toJournalEvent(row));
    }
    return rows;
  });
}
