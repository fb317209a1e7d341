import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../../test/helpers/postgres.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import { nodeSqlite } from '../runtime/node.js';
import type { MinuteRows } from './minute-aggregator.js';
import { HOUR_MS, packFinishedHours, pruneTrends } from './trend-maintenance.js';
import { readTrend } from './trend-reads.js';
import { minuteWriter } from './trend-writes.js';

// The trend tables on SQLite and on PostgreSQL: minutes written and merged, hours packed (in
// batches of datapoint ids) without changing what is read, late minutes merged, old rows pruned.
const H = Date.parse('2026-03-02T08:00:00.000Z') / HOUR_MS;
const M = H * 60;

type Row = [id: number, min: number, max: number, avg: number, last: number, weight: number];

function minute(m: number, rows: Row[]): MinuteRows {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return { minute: m, count: rows.length, ids: col(0), min: col(1), max: col(2), avg: col(3), last: col(4), weight: col(5) };
}

const bucket = (m: number, min: number, max: number, avg: number, last: number) => ({
  t: new Date(m * 60_000).toISOString(),
  min,
  max,
  avg,
  last,
});

describe.each(['sqlite', 'postgres'] as const)('trend storage on %s', (dialect) => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (dialect === 'postgres') {
      const server = await freshPostgres();
      drop = server.drop;
      db = openDatabase(server.url, () => {
        throw new Error('not SQLite');
      });
    } else {
      db = openDatabase(':memory:', nodeSqlite);
    }
    await migrateToLatest(db);
    // Datapoint ids up to 2500: packing goes in three batches of ids, and 4000 (deleted) above them.
    const plc = await db
      .insertInto('plcs')
      .values({
        name: 'P',
        host: 'h',
        port: 502,
        unit_id: 1,
        poll_interval_ms: 1000,
        timeout_ms: 1000,
        max_in_flight: 1,
        enabled: 1,
        created_at: '',
        updated_at: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const point = {
      plc_id: plc.id,
      description: '',
      area: 'holding',
      address: 0,
      type: 'uint16',
      word_order: 'big',
      scale: 1,
      offset: 0,
      unit: '',
      created_at: '',
      updated_at: '',
    };
    await db
      .insertInto('datapoints')
      .values([
        { ...point, id: 7, label: 'a' },
        { ...point, id: 2500, label: 'b' },
      ])
      .execute();
  });
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  const write = (rows: MinuteRows) => Promise.resolve(minuteWriter(db)(rows));
  const read = async (id: number) => (await readTrend(db, id, M - 60, M + 180)).buckets;

  it('writes minutes, merging a minute written twice', async () => {
    await write(
      minute(M, [
        [7, 1, 2, 1.5, 2, 60_000],
        [2500, 10, 10, 10, 10, 60_000],
        [4000, -1, -1, -1, -1, 60_000],
      ]),
    );
    await write(minute(M + 1, [[7, 4, 6, 5, 6, 15_000]]));
    await write(minute(M + 1, [[7, 3, 5, 4, 3, 45_000]])); // the rest of that minute, from another node
    expect(await read(7)).toEqual([bucket(M, 1, 2, 1.5, 2), bucket(M + 1, 3, 6, 4.25, 3)]);
    expect(await read(4000)).toEqual([bucket(M, -1, -1, -1, -1)]);
  });

  it('packs an hour two minutes after it ends, in batches of ids, and reads the same', async () => {
    const before = { a: await read(7), b: await read(2500), gone: await read(4000) };
    await write(minute(M + 60, [[7, 8, 8, 8, 8, 60_000]])); // the next hour: not packed yet
    expect(await packFinishedHours(db, (H + 1) * HOUR_MS + 119_000)).toBe(0);
    expect(await packFinishedHours(db, (H + 1) * HOUR_MS + 120_000)).toBe(1);
    const hours = await db.selectFrom('trend_hours').select(['hour', 'datapoint_id']).orderBy('datapoint_id').execute();
    expect(hours).toEqual([7, 2500, 4000].map((datapoint_id) => ({ hour: H, datapoint_id })));
    const left = await db.selectFrom('trend_minutes').select(['minute', 'datapoint_id']).execute();
    expect(left).toEqual([{ minute: M + 60, datapoint_id: 7 }]);
    expect({ a: await read(7), b: await read(2500), gone: await read(4000) }).toEqual({
      a: [...before.a, bucket(M + 60, 8, 8, 8, 8)],
      b: before.b,
      gone: before.gone,
    });
  });

  it('merges minutes of a packed hour written late, and packs them into it', async () => {
    await write(minute(M + 1, [[7, 0, 0, 0, 0, 0]])); // a weightless part: min 0 joins, the average stays
    await write(minute(M + 2, [[7, 9, 9, 9, 9, 60_000]]));
    const merged = [bucket(M, 1, 2, 1.5, 2), bucket(M + 1, 0, 6, 4.25, 0), bucket(M + 2, 9, 9, 9, 9), bucket(M + 60, 8, 8, 8, 8)];
    expect(await read(7)).toEqual(merged);
    expect(await packFinishedHours(db, (H + 1) * HOUR_MS + 120_000)).toBe(1);
    expect(await db.selectFrom('trend_hours').select('hour').where('datapoint_id', '=', 7).execute()).toEqual([{ hour: H }]);
    expect(await read(7)).toEqual(merged);
  });

  it('prunes whole hours before the cutoff, packed or not', async () => {
    await write(minute(M - 120, [[7, 1, 1, 1, 1, 60_000]])); // never packed
    expect(await pruneTrends(db, H * HOUR_MS + 59 * 60_000)).toBe(1); // 08:00 holds the cutoff: kept
    expect(await pruneTrends(db, (H + 1) * HOUR_MS)).toBe(3);
    expect(await read(2500)).toEqual([]);
    expect(await read(7)).toEqual([bucket(M + 60, 8, 8, 8, 8)]);
  });
});
