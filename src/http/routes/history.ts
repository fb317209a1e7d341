import { Hono } from 'hono';
import * as v from 'valibot';
import type { Db } from '../../db/database.js';
import { eventBody, listEvents } from '../../db/events.js';
import { IdParam } from '../../plant/fields.js';
import { requirePermission, type AuthEnv } from '../auth-middleware.js';
import { queryOf } from '../validate.js';

const instant = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time such as 2026-01-31T08:00:00Z'),
  v.transform((s) => new Date(s).toISOString()),
);

const HistoryQuery = v.strictObject({
  rule_id: v.optional(IdParam),
  from: v.optional(instant),
  to: v.optional(instant),
  after_id: v.optional(v.pipe(v.string(), v.regex(/^\d{1,16}$/, 'must be an event id'), v.transform(Number))),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,4}$/, 'must be a number from 1 to 1000'), v.transform(Number), v.minValue(1), v.maxValue(1000)),
    '100',
  ),
});

/** `GET /api/alarms/history`: the journal, oldest first, in pages (SPEC 4). */
export function historyRoutes(db: Db) {
  return new Hono<AuthEnv>().get('/history', requirePermission('alarms:read'), async (c) => {
    const q = queryOf(c, HistoryQuery);
    // One more than asked tells whether another page exists.
    const rows = await listEvents(db, {
      afterId: q.after_id,
      ruleId: q.rule_id,
      from: q.from,
      to: q.to,
      viewerId: c.get('user').id,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const more = rows.length > q.limit;
    return c.json({ events: page.map(eventBody), next_after_id: more ? page.at(-1)!.id : null });
  });
}
