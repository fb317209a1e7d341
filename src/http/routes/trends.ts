import { Hono } from 'hono';
import * as v from 'valibot';
import type { Db } from '../../db/database.js';
import { invalid } from '../../kernel/errors.js';
import type { DatapointService } from '../../plant/datapoint-service.js';
import { IdParam, IsoInstant } from '../../kernel/fields.js';
import { MINUTE_MS } from '../../trend/minute-aggregator.js';
import { TrendBucket } from '../../trend/trend-buckets.js';
import { readTrend } from '../../trend/trend-reads.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc } from '../openapi/route-doc.js';
import { parseWith, queryOf } from '../middleware/validate.js';

const HOUR_MS = 3_600_000;
/** The longest range one request may ask for: a year, a leap one included. */
const MAX_RANGE_MS = 366 * 86_400_000;

const TrendQuery = v.strictObject({ from: v.optional(IsoInstant), to: v.optional(IsoInstant) });

const TrendAnswer = v.strictObject({
  datapoint_id: v.number(),
  from: v.string(),
  to: v.string(),
  bucket_s: v.number(),
  buckets: v.array(TrendBucket),
});

const trendDoc = routeDoc({
  tag: 'history',
  summary: "A datapoint's trend: min, max, avg and last per bucket",
  description: 'At most 2000 buckets; without `to` the trend ends now, without `from` it starts an hour before `to`.',
  query: TrendQuery,
  responses: { 200: TrendAnswer },
});

/**
 * `GET /api/datapoints/{id}/trend?from&to` (SPEC 13): the datapoint's per-minute trend, merged
 * into at most 2000 buckets. Without `to` it ends now; without `from` it starts an hour before
 * `to`. Beyond the SPEC the answer says its `from`, `to` and the buckets' width, `bucket_s`.
 */
export function trendRoutes(db: Db, datapoints: DatapointService, now: () => number) {
  return new Hono<AuthEnv>().get('/:id/trend', trendDoc, requirePermission('alarms:read'), async function datapointTrend(c) {
    const id = parseWith(IdParam, c.req.param('id'), 'datapoint id');
    const q = queryOf(c, TrendQuery);
    const to = q.to ?? now();
    const from = q.from ?? to - HOUR_MS;
    if (from > to) throw invalid('from', 'must not be after to');
    if (to - from > MAX_RANGE_MS) throw invalid('to', 'must be at most 366 days after from');
    await datapoints.get(id); // 404 for a datapoint that does not exist (a deleted one's trend is pruned later)
    // A minute is in the range when it starts at or after from's minute and before to.
    const fromMinute = Math.floor(from / MINUTE_MS);
    const toMinute = Math.ceil(to / MINUTE_MS);
    const trend = await readTrend(db, id, fromMinute, toMinute);
    return c.json({
      datapoint_id: id,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      bucket_s: trend.width * 60,
      buckets: trend.buckets,
    });
  });
}
