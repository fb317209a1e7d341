/** Reads one datapoint's trend: its packed hours and the minutes not packed yet, merged into buckets. */
import type { Db } from '../db/database.js';
import { forEachPackedMinute, MINUTES_PER_HOUR } from './hour-pack.js';
import { createBucketMerger, type TrendBucket } from './trend-buckets.js';

/** Keys per `in (...)` list: well under SQLite's and PostgreSQL's parameter limits. */
const KEYS_PER_QUERY = 1000;

const span = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** The oldest and newest minutes not packed into their hours yet (epoch minutes), or null. */
export async function unpackedSpan(db: Db): Promise<{ oldest: number; newest: number } | null> {
  // Two queries: SQLite answers a lone min() or max() from the index, not both in one.
  const oldest = await db
    .selectFrom('trend_minutes')
    .select((eb) => eb.fn.min('minute').as('m'))
    .executeTakeFirst();
  const newest = await db
    .selectFrom('trend_minutes')
    .select((eb) => eb.fn.max('minute').as('m'))
    .executeTakeFirst();
  return oldest?.m == null || newest?.m == null ? null : { oldest: oldest.m, newest: newest.m };
}

/**
 * The buckets of minutes [fromMinute, toMinute), and their width in minutes. Both tables are
 * keyed by time first, so each hour and each unpacked minute is one index lookup (`in` lists):
 * 720 lookups for 30 days.
 */
export async function readTrend(
  db: Db,
  datapointId: number,
  fromMinute: number,
  toMinute: number,
): Promise<{ width: number; buckets: TrendBucket[] }> {
  const merger = createBucketMerger(fromMinute, toMinute);
  // Unpacked minutes first: one packed in between is then read twice, which changes no figure
  // (the same min, max and last, the same avg at twice the weight); the other order would miss it.
  const unpacked = await unpackedSpan(db);
  if (unpacked) {
    const end = Math.min(toMinute, unpacked.newest + 1);
    for (let m = Math.max(fromMinute, unpacked.oldest); m < end; m += KEYS_PER_QUERY) {
      const rows = await db
        .selectFrom('trend_minutes')
        .select(['minute', 'min', 'max', 'avg', 'last', 'weight'])
        .where('datapoint_id', '=', datapointId)
        .where('minute', 'in', span(m, Math.min(end, m + KEYS_PER_QUERY)))
        .execute();
      for (const r of rows) merger.add(r.minute, r.min, r.max, r.avg, r.last, r.weight, true);
    }
  }
  const firstHour = Math.floor(fromMinute / MINUTES_PER_HOUR);
  const endHour = Math.ceil(toMinute / MINUTES_PER_HOUR);
  for (let h = firstHour; h < endHour; h += KEYS_PER_QUERY) {
    const rows = await db
      .selectFrom('trend_hours')
      .select(['hour', 'minutes'])
      .where('datapoint_id', '=', datapointId)
      .where('hour', 'in', span(h, Math.min(endHour, h + KEYS_PER_QUERY)))
      .execute();
    for (const row of rows) {
      const base = row.hour * MINUTES_PER_HOUR;
      forEachPackedMinute(row.minutes, (i, min, max, avg, last, weight) => merger.add(base + i, min, max, avg, last, weight));
    }
  }
  return { width: merger.width, buckets: merger.buckets() };
}
