/**
 * Importing a plant file of 10k rules (10 PLCs x 1000 datapoints, a rule on each, every tenth
 * suppressed by another datapoint, every fifth on a schedule) into an empty SQLite file at
 * synchronous=FULL:
 *  - the service as alarmctl runs it (parse, plan, apply in one journal transaction),
 *  - `PUT /api/config` through a whole app (its engine and poller told before it answers),
 *  - the same file again (all unchanged: a plan and no writes), and a dry run of it,
 *  - the file with every rule's alarm threshold changed (10k updates, one statement each),
 *  - the floor: the same rows and as many events inserted bare, prepared statements in one transaction.
 * Prints figures, asserts nothing. Run: npx tsx scripts/bench-import.ts  (RULES=10000, RUNS=3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/kernel/clock.js';
import { loadConfig } from '../src/config.js';
import { configIoService } from '../src/config-io/config-io-service.js';
import { migrateToLatest, openDatabase, sqliteHandle } from '../src/db/database.js';
import { createJournal } from '../src/journal/journal.js';
import { journalStoreFor } from '../src/journal/journal-stores.js';
import { memoryLogger } from '../src/log/logger.js';
import { currentRuntime } from '../src/runtime/current.js';
import { fakePoller } from '../test/helpers/fake-poller.js';

const RULES = Number(process.env['RULES'] ?? 10_000);
const RUNS = Number(process.env['RUNS'] ?? 3);
const PLCS = 10;
const PER_PLC = RULES / PLCS;

const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
const runtime = await currentRuntime();

function plantFile() {
  const plcs = Array.from({ length: PLCS }, (_, p) => ({
    name: `PLC ${p}`,
    host: '127.0.0.1',
    port: 5020,
    datapoints: Array.from({ length: PER_PLC }, (_, i) => ({
      label: `TT${i}`,
      description: `temperature ${i}`,
      area: 'holding',
      address: i,
      type: 'uint16',
      unit: '°C',
    })),
  }));
  const schedule = { timezone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], start: '06:00', end: '22:00' }] };
  const rules = plcs.flatMap((plc, p) =>
    plc.datapoints.map((d, i) => ({
      name: `TT${i} high`,
      datapoint: `${plc.name}/${d.label}`,
      severity: 'high',
      comparison: 'above',
      warning_threshold: 80,
      alarm_threshold: 95,
      deadband: 1,
      schedule: i % 5 === 0 ? schedule : null,
      suppress_when: i % 10 === 1 ? { datapoint: `PLC ${p}/TT0`, comparison: 'equal', value: 0 } : null,
      escalate_after_s: i % 3 === 0 ? 600 : null,
    })),
  );
  return { version: 1, plcs, rules, notifiers: [{ name: 'broker', kind: 'mqtt', url: 'mqtt://127.0.0.1:1883' }] };
}

const file = plantFile();
const body = JSON.stringify(file);
console.log(`plant file: ${RULES} rules, ${RULES} datapoints, ${PLCS} PLCs, ${(body.length / 1024 / 1024).toFixed(1)} MiB`);

const ms = (t0: number) => Math.round(performance.now() - t0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let run = 0;
const freshFile = () => join(dir, `run-${run++}.sqlite`);

/** The service alone, as alarmctl runs it: returns [import, same again, dry run, every rule changed] in ms. */
async function serviceImport(): Promise<number[]> {
  const db = openDatabase(freshFile(), runtime.openSqlite);
  await migrateToLatest(db);
  const journal = createJournal(journalStoreFor(db), systemClock(), memoryLogger());
  const config = configIoService({ db, journal, changed: () => {}, settled: async () => {}, whileNotifierStopped: (_id, edit) => edit() });
  let t0 = performance.now();
  await config.importFile(JSON.parse(body), { dryRun: false, prune: false }, 'bench');
  const first = ms(t0);
  t0 = performance.now();
  await config.importFile(JSON.parse(body), { dryRun: false, prune: true }, 'bench');
  const again = ms(t0);
  t0 = performance.now();
  await config.importFile(JSON.parse(body), { dryRun: true, prune: true }, 'bench');
  const dry = ms(t0);
  const changed = JSON.parse(body);
  for (const r of changed.rules) r.alarm_threshold = 96;
  t0 = performance.now();
  await config.importFile(changed, { dryRun: false, prune: true }, 'bench');
  const updates = ms(t0);
  await db.destroy();
  return [first, again, dry, updates];
}

/** `PUT /api/config` through a whole app (no Modbus: a stand-in poller). */
async function restImport(): Promise<number> {
  const config = loadConfig({
    DATABASE: freshFile(),
    PORT: '0',
    DEMO: '0',
    ADMIN_PASSWORD: 'bench-password-1',
    JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes',
  });
  const app = createApp(config, { runtime, log: memoryLogger(), poller: fakePoller(Date.now).create });
  await app.start();
  const login = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const t0 = performance.now();
  const res = await app.request('/api/config', {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  await res.text();
  const took = ms(t0);
  if (res.status !== 200) throw new Error(`PUT /api/config answered ${res.status}`);
  await app.stop();
  return took;
}

/** The floor: the same rows and one event per row, bare prepared statements in one transaction. */
async function floor(): Promise<number> {
  const db = openDatabase(freshFile(), runtime.openSqlite);
  await migrateToLatest(db);
  const sqlite = sqliteHandle(db);
  const now = new Date().toISOString();
  const insertPlc = sqlite.prepare(
    'insert into plcs (name, host, port, unit_id, poll_interval_ms, timeout_ms, max_in_flight, enabled, created_at, updated_at) values (?, ?, 502, 1, 1000, 1000, 1, 1, ?, ?)',
  );
  const insertPoint = sqlite.prepare(
    "insert into datapoints (plc_id, label, description, area, address, type, word_order, scale, offset, unit, created_at, updated_at) values (?, ?, ?, 'holding', ?, 'uint16', 'big', 1, 0, ?, ?, ?)",
  );
  const insertRule = sqlite.prepare(
    "insert into rules (datapoint_id, name, severity, comparison, warning_threshold, alarm_threshold, deadband, on_delay_ms, off_delay_ms, schedule, enabled, suppress_when, escalate_after_s, created_at, updated_at) values (?, ?, 'high', 'above', 80, 95, 1, 0, 0, ?, 1, ?, ?, ?, ?)",
  );
  const insertEvent = sqlite.prepare(
    "insert into events (topic, type, owner_id, rule_id, payload, ts) values ('config', ?, null, ?, ?, ?)",
  );
  const t0 = performance.now();
  sqlite.transaction(() => {
    for (const plc of file.plcs) {
      const plcId = Number(insertPlc.run(plc.name, plc.host, now, now).lastInsertRowid);
      insertEvent.run('plc_created', null, JSON.stringify({ plc: { id: plcId, ...plc, datapoints: undefined } }), now);
      for (const d of plc.datapoints) {
        const id = Number(insertPoint.run(plcId, d.label, d.description, d.address, d.unit, now, now).lastInsertRowid);
        insertEvent.run('datapoint_created', null, JSON.stringify({ datapoint: { id, plc_id: plcId, ...d } }), now);
      }
    }
    let pointId = 0;
    for (const r of file.rules) {
      pointId++;
      const schedule = r.schedule && JSON.stringify(r.schedule);
      const suppress = r.suppress_when && JSON.stringify(r.suppress_when);
      const id = Number(insertRule.run(pointId, r.name, schedule, suppress, r.escalate_after_s, now, now).lastInsertRowid);
      insertEvent.run('rule_created', id, JSON.stringify({ rule: { id, datapoint_id: pointId, ...r } }), now);
    }
  })();
  const took = ms(t0);
  await db.destroy();
  return took;
}

const service: number[][] = [];
const rest: number[] = [];
const floors: number[] = [];
for (let i = 0; i < RUNS; i++) {
  service.push(await serviceImport());
  rest.push(await restImport());
  floors.push(await floor());
}
const column = (i: number) => median(service.map((s) => s[i]!));
const line = (what: string, took: number, runs?: number[]) =>
  console.log(`${what.padEnd(40)}${String(took).padStart(6)} ms${runs ? `   (runs: ${runs.join(', ')})` : ''}`);
line(
  'import (service, as alarmctl)',
  column(0),
  service.map((s) => s[0]!),
);
line('PUT /api/config (app, engine told)', median(rest), rest);
line('same file again, all unchanged', column(1));
line('dry run of it', column(2));
line(`every rule changed (${RULES} updates)`, column(3));
line('floor (bare inserts, one transaction)', median(floors), floors);
rmSync(dir, { recursive: true, force: true });
