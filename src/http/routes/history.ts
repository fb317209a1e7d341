import { Hono } from 'hono';
import * as v from 'valibot';
import type { Db } from '../../db/database.js';
import type { Context } from 'hono';
import { readableTopics } from '../../auth/topic-access.js';
import { listEvents } from '../../journal/event-history.js';
import { EventBody, eventBody, type JournalEvent } from '../../journal/events.js';
import { isEventType } from '../../journal/event-types.js';
import { invalid } from '../../kernel/errors.js';
import { historyCsvHeader, historyCsvLine } from './history-csv.js';
import { IdParam, IsoInstant } from '../../kernel/fields.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc, Text } from '../openapi/route-doc.js';
import { queryOf } from '../middleware/validate.js';

/** The journal compares `ts` as text: an instant in its one ISO form. */
const instant = v.pipe(
  IsoInstant,
  v.transform((ms) => new Date(ms).toISOString()),
);

/** A CSV export answers up to this many rows per request (SPEC 13); the next starts after the last id. */
const CSV_MAX_ROWS = 100_000;
/** Rows read from the journal at a time while a CSV export streams out. */
const CSV_PAGE = 2_000;

const HistoryQuery = v.strictObject({
  format: v.optional(v.picklist(['json', 'csv'], 'must be json or csv')),
  rule_id: v.optional(IdParam),
  from: v.optional(instant),
  to: v.optional(instant),
  after_id: v.optional(v.pipe(v.string(), v.regex(/^\d{1,16}$/, 'must be an event id'), v.transform(Number))),
  /** JSON: 1-1000, default 100; CSV: 1-100000, default 100000. */
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/, 'must be a whole number'), v.transform(Number), v.minValue(1))),
  // Beyond SPEC 4 (README): newest first, where `after_id` then pages to older events.
  order: v.optional(v.picklist(['asc', 'desc'], 'must be asc or desc')),
  /** `alarm_ack` or `alarm_ack,alarm_shelved`. */
  type: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => [...new Set(s.split(',').map((t) => t.trim()))]),
      v.check(
        (types) => types.every(isEventType),
        (issue) => `unknown event type: ${(issue.input as string[]).filter((t) => !isEventType(t)).join(', ')}`,
      ),
    ),
  ),
  /** Who acted: a username exactly as stored (SPEC 13 `user`). */
  user: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.transform((s) => s.normalize('NFKC')),
      v.minLength(1, 'must not be empty'),
      v.maxLength(64),
    ),
  ),
  plc_id: v.optional(IdParam),
});

const HistoryPage = v.strictObject({
  events: v.array(EventBody),
  /** The `after_id` of the next page; null on the last. */
  next_after_id: v.nullable(v.number()),
});

const historyDoc = routeDoc({
  tag: 'history',
  summary: 'The journal, in pages or as CSV',
  description: 'CSV with `format=csv` or `Accept: text/csv`; each caller sees only the topics it may read.',
  query: HistoryQuery,
  responses: {
    200: { description: 'A page of events, or CSV (RFC 4180)', content: { 'application/json': HistoryPage, 'text/csv': Text } },
  },
});

/** `GET /api/alarms/history`: the journal, oldest first (or newest), in pages (SPEC 4), or as CSV (SPEC 13). */
export function historyRoutes(db: Db) {
  return new Hono<AuthEnv>().get('/history', historyDoc, requirePermission('alarms:read'), async (c) => {
    const q = queryOf(c, HistoryQuery);
    const csv = q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/i.test(c.req.header('accept') ?? ''));
    const max = csv ? CSV_MAX_ROWS : 1000;
    const limit = q.limit ?? (csv ? CSV_MAX_ROWS : 100);
    if (limit > max) throw invalid('limit', `must be a number from 1 to ${max}`);
    const user = c.get('user');
    // SPEC 13: each caller sees only the topics it may read (audit: users:admin), and its own items.
    const filters = { order: q.order, ruleId: q.rule_id, from: q.from, to: q.to, types: q.type, user: q.user, plcId: q.plc_id };
    const topics = readableTopics(user.permissions);
    const read = (afterId: number | undefined, count: number) =>
      listEvents(db, { ...filters, afterId, topics, viewerId: user.id, limit: count });
    if (csv) return csvExport(c, read, q.after_id, limit);
    // One more than asked tells whether another page exists.
    const rows = await read(q.after_id, limit + 1);
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return c.json({ events: page.map(eventBody), next_after_id: more ? page.at(-1)!.id : null });
  });
}

/**
 * Streams the export page by page, so 100k rows never sit in memory at once. The first page is
 * read before answering, so a failing query is still an error status, not a cut-off file.
 */
async function csvExport(
  c: Context<AuthEnv>,
  read: (afterId: number | undefined, count: number) => Promise<JournalEvent[]>,
  afterId: number | undefined,
  limit: number,
) {
  const pageOf = (sent: number) => Math.min(CSV_PAGE, limit - sent);
  let page = await read(afterId, pageOf(0));
  let sent = 0;
  return c.body(
    new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(encoder.encode(historyCsvHeader())),
      async pull(controller) {
        const asked = pageOf(sent);
        if (page.length > 0) controller.enqueue(encoder.encode(page.map(historyCsvLine).join('')));
        sent += page.length;
        if (page.length < asked || sent >= limit) return controller.close();
        page = await read(page.at(-1)!.id, pageOf(sent));
      },
    }),
    200,
    { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="alarm-history.csv"' },
  );
}

const encoder = new TextEncoder();
