/**
 * Keeps the trend tables in shape: packs each finished hour's minutes into one row per
 * datapoint, and deletes what is older than TREND_DAYS. Both work in small transactions with a
 * turn of the event loop between them, so neither holds the main thread or the database long.
 */
import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/database.js';
import { addMinute, emptyHour, MINUTES_PER_HOUR, packHour, unpackHour, type HourMinutes } from './hour-pack.js';
import { MINUTE_MS } from './minute-aggregator.js';
import { unpackedSpan } from './trend-reads.js';

export const HOUR_MS = MINUTES_PER_HOUR * MINUTE_MS;
/** An hour is packed this long after it ends: by then every node has written its last minute. */
const PACK_AFTER_MS = 2 * MINUTE_MS;
/**
 * Datapoint ids per packing transaction: 6000 minute rows in, 100 hour rows out. Reading the
 * rows back is most of it (~2 us a row through Kysely), ~15 ms the main thread and the database
 * are held; 1000 transactions pack an hour of 100k datapoints.
 */
const PACK_IDS = 100;
/** Rows deleted per pruning transaction (2000 packed hours are ~4 MB). */
const PRUNE_ROWS = 2000;
/** Held by the node that packs or prunes, for one transaction, so two nodes never pack the same rows. */
const TREND_LOCK = 0x54524e44; // "TRND"

/** Lets requests and poll cycles in between two transactions. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function lockTrends(trx: Db): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${TREND_LOCK})`.execute(trx);
}

const minutesOfHour = (hour: number) => Array.from({ length: MINUTES_PER_HOUR }, (_, i) => hour * MINUTES_PER_HOUR + i);

/**
 * Moves the minutes of datapoints [lo, hi) in `hour` into their packed rows, merged with any
 * packed before (minutes written late, after a node was cut off), in one transaction.
 */
async function packBatch(db: Db, hour: number, lo: number, hi: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockTrends(trx);
    const minutes = minutesOfHour(hour);
    const rows = await trx
      .selectFrom('trend_minutes')
      .selectAll()
      .where('minute', 'in', minutes)
      .where('datapoint_id', '>=', lo)
      .where('datapoint_id', '<', hi)
      .execute();
    if (rows.length === 0) return;
    const hours = new Map<number, HourMinutes>();
    const packed = await trx
      .selectFrom('trend_hours')
      .select(['datapoint_id', 'minutes'])
      .where('hour', '=', hour)
      .where('datapoint_id', '>=', lo)
      .where('datapoint_id', '<', hi)
      .execute();
    const touched = new Set(rows.map((r) => r.datapoint_id));
    for (const p of packed) if (touched.has(p.datapoint_id)) hours.set(p.datapoint_id, unpackHour(p.minutes));
    for (const r of rows) {
      let h = hours.get(r.datapoint_id);
      if (!h) hours.set(r.datapoint_id, (h = emptyHour()));
      addMinute(h, r.minute - hour * MINUTES_PER_HOUR, r.min, r.max, r.avg, r.last, r.weight);
    }
    const values = [...hours].map(([datapoint_id, h]) => ({ hour, datapoint_id, minutes: packHour(h) }));
    for (let i = 0; i < values.length; i += 500) {
      await trx
        .insertInto('trend_hours')
        .values(values.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['hour', 'datapoint_id']).doUpdateSet((eb) => ({ minutes: eb.ref('excluded.minutes') })))
        .execute();
    }
    await trx
      .deleteFrom('trend_minutes')
      .where('minute', 'in', minutes)
      .where('datapoint_id', '>=', lo)
      .where('datapoint_id', '<', hi)
      .execute();
  });
}

/** Between two transactions: false once the server is stopping, so a long run ends early. */
export type Going = () => boolean;

/** Packs every hour that ended more than PACK_AFTER_MS before `now`, oldest first. Returns the hours packed. */
export async function packFinishedHours(db: Db, now: number, going: Going = () => true): Promise<number> {
  let packedHours = 0;
  let previous = Number.NaN;
  while (going()) {
    const unpacked = await unpackedSpan(db);
    if (!unpacked) return packedHours;
    const hour = Math.floor(unpacked.oldest / MINUTES_PER_HOUR);
    if ((hour + 1) * HOUR_MS + PACK_AFTER_MS > now) return packedHours;
    if (hour === previous) throw new Error(`trend: the minutes of hour ${hour} were not packed`);
    previous = hour;
    const top = await db
      .selectFrom('datapoints')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const maxId = top?.id ?? 0;
    // Batches by id up to the newest datapoint; the last one also takes any deleted one above it.
    for (let lo = 0; going(); lo += PACK_IDS) {
      const hi = lo + PACK_IDS > maxId ? Number.MAX_SAFE_INTEGER : lo + PACK_IDS;
      await packBatch(db, hour, lo, hi);
      await nextTurn();
      if (hi === Number.MAX_SAFE_INTEGER) {
        packedHours++;
        break;
      }
    }
  }
  return packedHours;
}

/**
 * Deletes packed hours that ended before `cutoffMs`, and minutes that never got packed, in
 * batches. Returns the rows deleted.
 */
export async function pruneTrends(db: Db, cutoffMs: number, going: Going = () => true): Promise<number> {
  const hour = Math.floor(cutoffMs / HOUR_MS);
  let deleted = 0;
  while (going()) {
    const n = await db.transaction().execute(async (trx) => {
      await lockTrends(trx);
      // Row values: `delete ... limit` is SQLite's alone (and only when compiled in).
      const hours = await trx
        .deleteFrom('trend_hours')
        .where(({ eb, refTuple, selectFrom }) => {
          const oldest = selectFrom('trend_hours')
            .select(['hour', 'datapoint_id'])
            .where('hour', '<', hour)
            .orderBy('hour')
            .limit(PRUNE_ROWS);
          return eb(refTuple('hour', 'datapoint_id'), 'in', oldest.$asTuple('hour', 'datapoint_id'));
        })
        .executeTakeFirst();
      const minutes = await trx
        .deleteFrom('trend_minutes')
        .where(({ eb, refTuple, selectFrom }) => {
          const oldest = selectFrom('trend_minutes')
            .select(['minute', 'datapoint_id'])
            .where('minute', '<', hour * MINUTES_PER_HOUR)
            .orderBy('minute')
            .limit(PRUNE_ROWS);
          return eb(refTuple('minute', 'datapoint_id'), 'in', oldest.$asTuple('minute', 'datapoint_id'));
        })
        .executeTakeFirst();
      return Number(hours.numDeletedRows) + Number(minutes.numDeletedRows);
    });
    deleted += n;
    if (n === 0) break;
    await nextTurn();
  }
  return deleted;
}
