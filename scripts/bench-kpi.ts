/**
 * KPIs (SPEC 13) over a 1M-event journal: a day of 2000 rules going OK -> WARNING -> ALARM,
 * acked, back to OK (200k annunciations, 200k acks), five of them chattering, journaled through
 * the journal's own appender. Times the KPIs of `GET /api/alarms/kpis` and the series of
 * `/kpis/windows` for that day (called in-process) against floors measured in the same run: a bare count of the day's events, and a bare count
 * of the rows the KPIs read; and, once, what parsing every payload of the day would cost.
 * Prints figures, asserts nothing. Run: npx tsx scripts/bench-kpi.ts (Node), or
 * node_modules/.bin/bun scripts/bench-kpi.ts (Bun: bun:sqlite). With JOURNAL=postgres it uses a
 * scratch database on the local PostgreSQL instead, created and dropped by the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { dialectOf, migrateToLatest, openDatabase, sqliteHandle, type Db } from '../src/db/database.js';
import { appendEventsPg, eventAppender, type NewEvent } from '../src/journal/events.js';
import { createKpiReport } from '../src/kpi/kpi-report.js';
import { kpiKindOf } from '../src/kpi/kpi-kind.js';
import { currentRuntime } from '../src/runtime/current.js';
import { freshPostgres } from '../test/helpers/postgres.js';

const EVENTS = 1_000_000;
const RULES = 2000;
/** Rules 1-5 flap OK <-> ALARM: a twentieth of the events, an annunciation every ~17 s each. */
const CHATTERING = 5;
/** Events journaled with one timestamp, as a poll cycle's are (~8.6 s apart over the day). */
const PER_CYCLE = 100;
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'bench-kpi-'));
const runtime = await currentRuntime();
const scratch = process.env['JOURNAL'] === 'postgres' ? await freshPostgres() : undefined;
const db = openDatabase(scratch?.url ?? join(dir, 'bench.sqlite'), runtime.openSqlite);
await migrateToLatest(db);
const pg = dialectOf(db) === 'postgres';

const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const period = { from: now - DAY, to: now };

// A fixed sequence, so every run journals the same day.
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const severityOf = (rule: number) => (rule % 100 === 0 ? 'critical' : rule % 100 < 5 ? 'high' : rule % 100 < 20 ? 'medium' : 'low');
const CYCLE = [['OK', 'WARNING'], ['WARNING', 'ALARM'], 'ack', ['ALARM', 'WARNING'], ['WARNING', 'OK']] as const;
const FLAP = [
  ['OK', 'ALARM'],
  ['ALARM', 'OK'],
] as const;
const step = new Map<number, number>();

function nextEvent(ts: string): NewEvent {
  const rule = random() < 0.05 ? 1 + Math.floor(random() * CHATTERING) : 1 + CHATTERING + Math.floor(random() * (RULES - CHATTERING));
  const cycle = rule <= CHATTERING ? FLAP : CYCLE;
  const n = step.get(rule) ?? 0;
  step.set(rule, n + 1);
  const move = cycle[n % cycle.length]!;
  if (move === 'ack')
    return { topic: 'alarms', type: 'alarm_ack', rule_id: rule, payload: { rule_id: rule, user: 'operator', comment: null } };
  const [from, to] = move;
  return {
    topic: 'alarms',
    type: 'alarm_state',
    rule_id: rule,
    payload: {
      rule_id: rule,
      rule_name: `Rule ${rule} level`,
      datapoint_id: rule,
      datapoint_label: `LT${rule}`,
      plc_id: 1 + (rule % 20),
      state: to,
      previous_state: from,
      severity: severityOf(rule),
      comparison: 'above',
      value: 90 + (rule % 10),
      warning_threshold: 80,
      alarm_threshold: 95,
      acked: false,
      shelved: false,
      escalation: 0,
      reason: 'value',
      since: ts,
      message: `Rule Rule ${rule} level -> ${to}`,
    },
  };
}

async function journalTheDay(): Promise<void> {
  const append = pg ? undefined : eventAppender(db);
  const inTransaction = pg
    ? undefined
    : sqliteHandle(db).transaction((batches: [NewEvent[], string][]) => batches.forEach(([e, ts]) => append!(e, ts)));
  let batches: [NewEvent[], string][] = [];
  for (let i = 0; i < EVENTS; i += PER_CYCLE) {
    const ts = new Date(period.from + Math.floor((i * DAY) / EVENTS)).toISOString();
    const events = Array.from({ length: PER_CYCLE }, () => nextEvent(ts));
    if (pg) await db.transaction().execute((trx) => appendEventsPg(trx, events, ts));
    else batches.push([events, ts]);
    if (batches.length === 500) inTransaction!(batches), (batches = []);
  }
  if (batches.length > 0) inTransaction!(batches);
  if (pg) await sql`vacuum analyze events`.execute(db); // as autovacuum would have, after a day of appends
}

/**
 * Runs `fn` `runs` times: the best and the median wall time, and the median CPU time of this
 * process (all of it on SQLite, the client's share on PostgreSQL), in ms. On a machine shared
 * with other work the wall time strays; the CPU time much less.
 */
async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ best: number; median: number; cpu: number; result: T }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let result!: T;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    result = await fn();
    const used = process.cpuUsage(cpuBefore);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { best: Math.min(...wall), median: median(wall), cpu: median(cpu), result };
}

/** A bare count of rows (without JIT on PostgreSQL, as the KPI query runs): no read of them can be faster. */
async function count(db: Db, where: ReturnType<typeof sql>): Promise<number> {
  const run = async (on: Db) => Number((await sql<{ n: number }>`select count(*) as n from events where ${where}`.execute(on)).rows[0]!.n);
  return pg ? db.transaction().execute(async (trx) => (await sql`set local jit = off`.execute(trx), run(trx))) : run(db);
}

/** The naive way, for comparison: every event of the day read and its payload parsed. */
async function parseEveryPayload(): Promise<number> {
  const rows = await db
    .selectFrom('events')
    .select(['type', 'payload'])
    .where('ts', '>=', new Date(period.from).toISOString())
    .where('ts', '<', new Date(period.to).toISOString())
    .execute();
  let kpiRows = 0;
  for (const row of rows) if (kpiKindOf(row.type, JSON.parse(row.payload) as Record<string, unknown>) !== null) kpiRows++;
  return kpiRows;
}

const built = performance.now();
await journalTheDay();
console.log(
  `KPIs over ${EVENTS.toLocaleString('en')} events of one day, ${RULES} rules, on ${pg ? 'PostgreSQL' : `SQLite (${runtime.name})`}; journaled in ${((performance.now() - built) / 1000).toFixed(1)} s`,
);

const report = createKpiReport({
  db,
  now: () => now,
  activeAlarms: async () => [],
  countRules: async () => ({ shelved: 0, out_of_service: 0, suppressed: 0 }),
});
const fromIso = new Date(period.from).toISOString();
const toIso = new Date(period.to).toISOString();
const RUNS = 7;
const allEvents = await timed(RUNS, () => count(db, sql`ts >= ${fromIso} and ts < ${toIso}`));
const kpiRows = await timed(RUNS, () => count(db, sql`kpi_kind is not null and kpi_ms >= ${period.from} and kpi_ms < ${period.to}`));
const kpis = await timed(RUNS, () => report.kpis(period));
const windows = await timed(RUNS, () => report.windows(period));
const naive = await timed(1, parseEveryPayload);

const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;
const line = (what: string, t: { best: number; median: number; cpu: number }) =>
  console.log(`${what.padEnd(52)} best ${ms(t.best)}, median ${ms(t.median)}; CPU ${ms(t.cpu)}`);
line(`floor: count(*) of the day's ${allEvents.result.toLocaleString('en')} events`, allEvents);
line(`floor: count(*) of the ${kpiRows.result.toLocaleString('en')} rows the KPIs read`, kpiRows);
line('KPIs (GET /api/alarms/kpis, called in-process)', kpis);
line(`the series of /kpis/windows (${windows.result.windows.length} windows)`, windows);
line('naive: parse every payload of the day (once)', naive);
const k = kpis.result;
console.log(
  `  annunciated ${k.annunciated}, per_hour ${k.per_hour}, peak_10min ${k.peak_10min}, flood_percent ${k.flood_percent}, ` +
    `chattering ${k.chattering.length} (${k.chattering.map((c) => c.rule_name).join(', ')}), ack p50/p90 ${k.ack_time_s.p50}/${k.ack_time_s.p90} s, ` +
    `by_severity ${JSON.stringify(k.by_severity)}`,
);

await db.destroy();
await scratch?.drop();
rmSync(dir, { recursive: true, force: true });
