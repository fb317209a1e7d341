/**
 * Trends (SPEC 13): the main-thread cost of keeping per-minute min/max/avg/last of 100k
 * datapoints, and the time of a 30-day read, each against a floor measured in the same run:
 * - aggregation: ns per polled value through the recorder's intake, against a bare loop that
 *   reads the same sample objects;
 * - the minute write (file database, synchronous=FULL, WAL), against a bare insert of the same
 *   rows in one transaction into a table of the same shape; the hourly packing and pruning,
 *   with the longest the event loop was held;
 * - a 30-day read of one datapoint (720 packed hours among 200 datapoints' 30 days), against a
 *   bare indexed read of the same rows, and against the other layout (a row per minute);
 * - the storage per 1000 datapoints per day.
 * Prints figures, asserts nothing. Run: npx tsx scripts/bench-trend.ts (Node), or
 * node_modules/.bin/bun scripts/bench-trend.ts (Bun: bun:sqlite). DATAPOINTS=20000 for a quick run.
 * With TREND=postgres it also measures the minute write and the 30-day read on a scratch
 * database on the local PostgreSQL (a cluster's), created and dropped by the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Clock } from '../src/kernel/clock.js';
import { migrateToLatest, openDatabase, sqliteHandle, type Db } from '../src/db/database.js';
import { memoryLogger } from '../src/log/logger.js';
import type { ValueSample } from '../src/kernel/samples.js';
import { currentRuntime } from '../src/runtime/current.js';
import { addMinute, emptyHour, packHour } from '../src/trend/hour-pack.js';
import { createMinuteAggregator, MINUTE_MS } from '../src/trend/minute-aggregator.js';
import { HOUR_MS, packFinishedHours, pruneTrends } from '../src/trend/trend-maintenance.js';
import { readTrend } from '../src/trend/trend-reads.js';
import { createTrendRecorder } from '../src/trend/trend-recorder.js';
import { minuteWriter } from '../src/trend/trend-writes.js';
import { freshPostgres } from '../test/helpers/postgres.js';

const N = Number(process.env['DATAPOINTS'] ?? 100_000);
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const runtime = await currentRuntime();
const dir = mkdtempSync(join(tmpdir(), 'bench-trend-'));
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freshDb(name: string): Promise<Db> {
  const db = openDatabase(join(dir, `${name}.sqlite`), runtime.openSqlite);
  await migrateToLatest(db);
  return db;
}

/** The longest the event loop went without a turn while `work` ran (a turn costs ~0.01 ms). */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; blockMs: number }> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  running = false;
  longest = Math.max(longest, performance.now() - last);
  return { result, ms, blockMs: longest };
}

console.log(`trends, ${N.toLocaleString('en')} datapoints (${runtime.name})`);

// --- 1. aggregation: every polled value through the recorder's intake ------------------------
{
  const db = await freshDb('intake');
  let now = T0;
  const clock: Clock = { now: () => now, setTimer: () => 0, clearTimer: () => {} };
  const recorder = createTrendRecorder({ db, clock, log: memoryLogger(), trendDays: 30 });
  // A second of 100 PLCs' poll cycles: 1000 values each, as the poller hands them over.
  const cycles: ValueSample[][] = Array.from({ length: 100 }, (_, c) =>
    Array.from({ length: 1000 }, (_, k) => ({
      datapoint_id: ((c * 1000 + k) % N) + 1,
      value: Math.random() * 100,
      quality: 'good' as const,
      ts: now,
      error: null,
    })),
  );
  const seconds = 50;
  let sink = 0;
  const floorLoop = () => {
    for (let s = 0; s < seconds; s++) for (const cycle of cycles) for (const v of cycle) sink += v.quality === 'good' ? v.value! : 0;
  };
  const recordLoop = () => {
    for (let s = 0; s < seconds; s++) {
      now = T0 + s * 1000; // within the first minute: no close here, that is the minute write's part
      for (const cycle of cycles) recorder.record(cycle);
    }
  };
  // Once untimed each: the first pass allocates the slots and lets the JIT settle.
  floorLoop();
  recordLoop();
  const floorStarted = performance.now();
  floorLoop();
  const floorNs = ((performance.now() - floorStarted) * 1e6) / (seconds * 100_000);
  const started = performance.now();
  recordLoop();
  const ns = ((performance.now() - started) * 1e6) / (seconds * 100_000);
  console.log(
    `aggregation: ${ns.toFixed(0)} ns per value (bare loop over the same samples: ${floorNs.toFixed(1)} ns); ` +
      `at 100k values/s ${((ns * 100_000) / 1e7).toFixed(2)} % of the main thread`,
  );
  if (Number.isNaN(sink)) console.log('(the floor read nothing)'); // keeps the floor's loop from being optimised away
  await db.destroy();
}

// --- 2. the minute write, against a bare insert of the same rows ------------------------------
const db = await freshDb('trend');
const sqlite = sqliteHandle(db);
// The datapoints themselves: packing goes through them in batches of ids.
sqlite
  .prepare(
    "insert into plcs (id, name, host, port, unit_id, poll_interval_ms, timeout_ms, max_in_flight, enabled, created_at, updated_at) values (1, 'P', 'h', 502, 1, 1000, 1000, 1, 1, '', '')",
  )
  .run();
const addPoint = sqlite.prepare(
  "insert into datapoints (id, plc_id, label, description, area, address, type, word_order, scale, offset, unit, created_at, updated_at) values (?, 1, ?, '', 'holding', 0, 'uint16', 'big', 1, 0, '', '', '')",
);
sqlite.transaction(() => {
  for (let id = 1; id <= N; id++) addPoint.run(id, `P${id}`);
})();
const write = minuteWriter(db);
const aggregator = createMinuteAggregator(T0);
for (let id = 1; id <= N; id++) aggregator.sample(id, 20 + (id % 50), T0);
await db.schema
  .createTable('floor_minutes')
  .addColumn('minute', 'integer', (c) => c.notNull())
  .addColumn('datapoint_id', 'integer', (c) => c.notNull())
  .addColumn('min', 'real', (c) => c.notNull())
  .addColumn('max', 'real', (c) => c.notNull())
  .addColumn('avg', 'real', (c) => c.notNull())
  .addColumn('last', 'real', (c) => c.notNull())
  .addColumn('weight', 'integer', (c) => c.notNull())
  .addPrimaryKeyConstraint('floor_minutes_pk', ['minute', 'datapoint_id'])
  .modifyEnd(sql`without rowid`)
  .execute();
const bare = sqlite.prepare('insert into floor_minutes values (?, ?, ?, ?, ?, ?, ?)');
const bareWrite = sqlite.transaction((r: ReturnType<typeof aggregator.closePartial>) => {
  for (let i = 0; i < r.count; i++) bare.run(r.minute, r.ids[i], r.min[i], r.max[i], r.avg[i], r.last[i], r.weight[i]);
});
const closeMs: number[] = [];
const writeMs: number[] = [];
const floorMs: number[] = [];
for (let m = 1; m <= 60; m++) {
  // A few values move each minute; the rest are carried, as the poller reports only changes.
  for (let id = 1; id <= N; id += 97) aggregator.sample(id, Math.random() * 100, T0 + (m - 1) * MINUTE_MS + 30_000);
  let started = performance.now();
  const rows = aggregator.closeEnded(T0 + m * MINUTE_MS)!;
  closeMs.push(performance.now() - started);
  started = performance.now();
  await write(rows);
  writeMs.push(performance.now() - started);
  if (m <= 10) {
    started = performance.now();
    bareWrite(rows);
    floorMs.push(performance.now() - started);
  }
}
const perMinute = median(closeMs) + median(writeMs);
console.log(
  `minute write of ${N.toLocaleString('en')} rows, 60 minutes: close ${fmt(median(closeMs))} ms + write ${fmt(median(writeMs))} ms median ` +
    `(max ${fmt(Math.max(...writeMs))} ms); bare insert of the same rows ${fmt(median(floorMs))} ms (${(median(writeMs) / median(floorMs)).toFixed(2)}x)`,
);
const minuteBytes = statSize(db);

// --- 3. the hourly packing and the pruning -------------------------------------------------------
const packed = await longestBlock(() => packFinishedHours(db, T0 + HOUR_MS + 3 * MINUTE_MS));
console.log(`packing the hour: ${fmt(packed.ms)} ms in all, the event loop held at most ${fmt(packed.blockMs)} ms (${packed.result} hour)`);
const pruned = await longestBlock(() => pruneTrends(db, T0 + HOUR_MS));
console.log(`pruning the hour: ${fmt(pruned.ms)} ms in all, the event loop held at most ${fmt(pruned.blockMs)} ms (${pruned.result} rows)`);
const hourly = 60 * perMinute + packed.ms + pruned.ms;
console.log(
  `main thread per minute, all in: ${fmt(hourly / 60)} ms = ${((hourly / 60 / MINUTE_MS) * 100).toFixed(2)} % of 60 s (target < 5 %)`,
);
await db.destroy();

// --- 4. a 30-day read -----------------------------------------------------------------------------
{
  const q = await freshDb('query');
  const handle = sqliteHandle(q);
  const POINTS = 200;
  const HOURS = 720;
  const H0 = T0 / HOUR_MS - HOURS;
  const insert = handle.prepare('insert into trend_hours (hour, datapoint_id, minutes) values (?, ?, ?)');
  const blob = packHour(varyingHour());
  const fill = handle.transaction((hour: number) => {
    for (let id = 1; id <= POINTS; id++) insert.run(hour, id, blob);
  });
  for (let h = 0; h < HOURS; h++) fill(H0 + h);
  // The other layout, for comparison: one row per datapoint and minute, keyed by datapoint first.
  handle
    .prepare(
      'create table per_minute (datapoint_id integer, minute integer, min real, max real, avg real, last real, weight integer, primary key (datapoint_id, minute)) without rowid',
    )
    .run();
  const perMinuteRow = handle.prepare('insert into per_minute values (?, ?, ?, ?, ?, ?, ?)');
  handle.transaction(() => {
    for (const id of [99, 100, 101])
      for (let m = 0; m < HOURS * 60; m++) perMinuteRow.run(id, H0 * 60 + m, m, m + 1, m + 0.5, m + 1, 60_000);
  })();
  const fromMinute = H0 * 60;
  const toMinute = (H0 + HOURS) * 60;
  const hours = Array.from({ length: HOURS }, (_, i) => H0 + i);
  const bareRead = handle.prepare(
    `select minutes from trend_hours where datapoint_id = ? and hour in (${hours.map(() => '?').join(', ')})`,
  );
  const minuteRange = handle.prepare(
    'select minute, min, max, avg, last, weight from per_minute where datapoint_id = ? and minute >= ? and minute < ?',
  );
  const time = async (fn: () => unknown) => {
    for (let i = 0; i < 5; i++) await fn();
    const xs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await fn();
      xs.push(performance.now() - started);
    }
    return median(xs);
  };
  let buckets = 0;
  const ours = await time(async () => (buckets = (await readTrend(q, 100, fromMinute, toMinute)).buckets.length));
  const floor = await time(() => bareRead.all(100, ...hours));
  const alternative = await time(() => minuteRange.all(100, fromMinute, toMinute));
  console.log(
    `30-day read of one datapoint (${HOURS} packed hours, ${buckets} buckets): ${fmt(ours)} ms median (target < 50 ms); ` +
      `bare indexed read of the same rows ${fmt(floor)} ms; a row per minute instead: ${fmt(alternative)} ms just to read its 43,200 rows`,
  );
  await q.destroy();
}

// --- 5. storage per 1000 datapoints per day ------------------------------------------------------
for (const [label, hour] of [
  ['changing every minute', varyingHour()],
  ['steady (a switch, a setpoint)', steadyHour()],
] as const) {
  const s = await freshDb(`size-${label.split(' ')[0]}`);
  const handle = sqliteHandle(s);
  const before = statSize(s);
  const insert = handle.prepare('insert into trend_hours (hour, datapoint_id, minutes) values (?, ?, ?)');
  const blob = packHour(hour);
  handle.transaction(() => {
    for (let h = 0; h < 24; h++) for (let id = 1; id <= 1000; id++) insert.run(T0 / HOUR_MS + h, id, blob);
  })();
  console.log(
    `storage, ${label}: ${((statSize(s) - before) / 1e6).toFixed(2)} MB per 1000 datapoints per day (packed hours of ${blob.byteLength} bytes)`,
  );
  await s.destroy();
}
console.log(
  `unpacked minutes (the last hour or two): ${(((minuteBytes / (60 * N)) * 1000 * 120) / 1e6).toFixed(1)} MB per 1000 datapoints (${(minuteBytes / (60 * N)).toFixed(0)} bytes a minute row)`,
);

if (process.env['TREND'] === 'postgres') await onPostgres();
rmSync(dir, { recursive: true, force: true });

/**
 * The same write and read on PostgreSQL. The write is asynchronous there: what it costs the
 * main thread is its CPU time (node-postgres serialising seven arrays), not its wall time.
 */
async function onPostgres() {
  const scratch = await freshPostgres();
  const pgDb = openDatabase(scratch.url, runtime.openSqlite);
  await migrateToLatest(pgDb);
  const pgWrite = minuteWriter(pgDb);
  const agg = createMinuteAggregator(T0);
  for (let id = 1; id <= N; id++) agg.sample(id, 20 + (id % 50), T0);
  await sql`create table floor_minutes (like trend_minutes including all)`.execute(pgDb);
  const wall: number[] = [];
  const cpu: number[] = [];
  const floor: number[] = [];
  for (let m = 1; m <= 10; m++) {
    const rows = agg.closeEnded(T0 + m * MINUTE_MS)!;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await pgWrite(rows);
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1000);
    const floorStarted = performance.now();
    await pgDb.transaction().execute(async (trx) => {
      for (let from = 0; from < rows.count; from += 10_000) {
        const part = (a: Float64Array) => Array.from(a.subarray(from, Math.min(rows.count, from + 10_000)));
        await sql`insert into floor_minutes select ${rows.minute}::integer, * from unnest(${part(rows.ids)}::bigint[], ${part(rows.min)}::float8[],
          ${part(rows.max)}::float8[], ${part(rows.avg)}::float8[], ${part(rows.last)}::float8[], ${part(rows.weight)}::integer[])`.execute(
          trx,
        );
      }
    });
    floor.push(performance.now() - floorStarted);
  }
  console.log(
    `PostgreSQL: minute write of ${N.toLocaleString('en')} rows ${fmt(median(wall))} ms wall, ${fmt(median(cpu))} ms of this process's CPU ` +
      `(${((median(cpu) / MINUTE_MS) * 100).toFixed(2)} % of 60 s); bare unnest insert of the same rows ${fmt(median(floor))} ms`,
  );
  const HOURS = 720;
  const H0 = T0 / HOUR_MS - HOURS;
  const blob = packHour(varyingHour());
  for (let h = 0; h < HOURS; h++) {
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    await sql`insert into trend_hours (hour, datapoint_id, minutes) select ${H0 + h}::integer, id, ${blob} from unnest(${ids}::bigint[]) as id`.execute(
      pgDb,
    );
  }
  await sql`analyze trend_hours`.execute(pgDb);
  const times: number[] = [];
  for (let i = 0; i < 35; i++) {
    const started = performance.now();
    await readTrend(pgDb, 100, H0 * 60, (H0 + HOURS) * 60);
    if (i >= 5) times.push(performance.now() - started);
  }
  console.log(`PostgreSQL: 30-day read of one datapoint ${fmt(median(times))} ms median`);
  await pgDb.destroy();
  await scratch.drop();
}

/** The database file's size with its WAL checkpointed into it. */
function statSize(d: Db): number {
  sqliteHandle(d).prepare('pragma wal_checkpoint(TRUNCATE)').get();
  const row = sqliteHandle(d).prepare('select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()').get() as {
    bytes: number;
  };
  return row.bytes;
}

function varyingHour() {
  const h = emptyHour();
  for (let i = 0; i < 60; i++) addMinute(h, i, 20 + Math.random(), 21 + Math.random(), 20.5 + Math.random(), 20.7 + Math.random(), 60_000);
  return h;
}

function steadyHour() {
  const h = emptyHour();
  for (let i = 0; i < 60; i++) addMinute(h, i, 1, 1, 1, 1, 60_000);
  return h;
}
