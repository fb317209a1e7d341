/**
 * Journal throughput: alarm transitions written as the alarm service writes them (events plus
 * alarm_states rows, one transaction per poll cycle, as alarm-service.ts calls journal.append) to a file database at synchronous=FULL.
 * Prints figures, asserts nothing. Run: npx tsx scripts/bench-journal.ts (Node), or
 * node_modules/.bin/bun scripts/bench-journal.ts (Bun: bun:sqlite). With JOURNAL=postgres it
 * writes to a scratch database on the local PostgreSQL instead (a cluster's journal), created
 * and dropped by the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dialectOf, migrateToLatest, openDatabase } from '../src/db/database.js';
import pg from 'pg';
import { freshPostgres } from '../test/helpers/postgres.js';
import { currentRuntime } from '../src/runtime/current.js';
import { systemClock } from '../src/kernel/clock.js';
import { createJournal } from '../src/journal/journal.js';
import { journalStoreFor } from '../src/journal/journal-stores.js';
import { memoryLogger } from '../src/log/logger.js';
import { alarmStateEvent } from '../src/alarms/alarm-events.js';
import type { EngineRule, Transition } from '../src/engine/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-journal-'));
const runtime = await currentRuntime();
const scratch = process.env['JOURNAL'] === 'postgres' ? await freshPostgres() : undefined;
const db = openDatabase(scratch?.url ?? join(dir, 'bench.sqlite'), runtime.openSqlite);
await migrateToLatest(db);
const journal = createJournal(journalStoreFor(db), systemClock(), memoryLogger());
let delivered = 0;
journal.subscribe((events) => (delivered += events.length));

const rule = (id: number): EngineRule => ({
  id,
  datapoint_id: id,
  name: `TT${id} high`,
  severity: 'high',
  comparison: 'above',
  warning_threshold: 80,
  alarm_threshold: 95,
  deadband: 1,
  on_delay_ms: 0,
  off_delay_ms: 0,
  schedule: null,
  enabled: true,
  suppress_when: null,
  escalate_after_s: null,
});
const point = { label: 'TT', description: 'temperature', plc_id: 1 };

/**
 * PostgreSQL's floor in the same run: the same events as bare rows, one plain transaction
 * and one unnest insert per cycle into a copy of the table with its indexes, on one pg client:
 * no journal lock, no alarm states, no NOTIFY, no JavaScript objects handed back.
 */
async function floor(perCycle: number, cycles: number): Promise<number> {
  const client = new pg.Client({ connectionString: scratch!.url });
  await client.connect();
  await client.query('create table if not exists events_floor (like events including all)');
  const started = performance.now();
  for (let c = 0; c < cycles; c++) {
    const events = Array.from({ length: perCycle }, (_, i) =>
      alarmStateEvent(
        {
          rule_id: i + 1,
          from: 'OK',
          to: c % 2 ? 'OK' : 'ALARM',
          reason: 'value',
          value: 96 + c,
          ts: Date.now(),
          acked: false,
          shelved: false,
          escalation: 0,
          rule: rule(i + 1),
        },
        point,
      ),
    );
    const ts = new Date().toISOString();
    await client.query('begin');
    await client.query(
      `insert into events_floor (topic, type, owner_id, rule_id, payload, ts)
       select topic, type, null, rule_id, payload, $4 from unnest($1::text[], $2::text[], $3::bigint[], $5::text[]) as e(topic, type, rule_id, payload)`,
      [
        events.map((e) => e.topic),
        events.map((e) => e.type),
        events.map((e) => e.rule_id),
        ts,
        events.map((e) => JSON.stringify(e.payload)),
      ],
    );
    await client.query('commit');
  }
  const rate = (perCycle * cycles) / ((performance.now() - started) / 1000);
  await client.end();
  return rate;
}

async function run(perCycle: number, cycles: number) {
  const floorRate = scratch ? await floor(perCycle, cycles) : undefined;
  const started = performance.now();
  for (let c = 0; c < cycles; c++) {
    const transitions: Transition[] = Array.from({ length: perCycle }, (_, i) => ({
      rule_id: i + 1,
      from: 'OK',
      to: c % 2 ? 'OK' : 'ALARM',
      reason: 'value',
      value: 96 + c,
      ts: Date.now(),
      acked: false,
      shelved: false,
      escalation: 0,
      rule: rule(i + 1),
    }));
    const records = transitions.map((t) => ({
      rule_id: t.rule_id,
      state: t.to,
      acked: false,
      shelved_until: null,
      since: t.ts,
      value: t.value,
      out_of_service: null,
      escalation: 0,
      unacked_since: t.ts,
      escalated_at: null,
    }));
    await journal.append(
      transitions.map((t) => alarmStateEvent(t, point)),
      { records, gone: [] },
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = (perCycle * cycles) / seconds;
  const against =
    floorRate === undefined ? '' : `; floor ${Math.round(floorRate).toLocaleString('en')}/s, ${(rate / floorRate).toFixed(2)}x of it`;
  console.log(
    `${String(perCycle).padStart(5)} transitions/cycle x ${cycles} cycles: ${Math.round(rate).toLocaleString('en')} transitions/s, ${((seconds * 1000) / cycles).toFixed(2)} ms/cycle${against}`,
  );
}

console.log(
  dialectOf(db) === 'postgres'
    ? `journal on PostgreSQL (ids in commit order under the journal lock), one transaction per cycle (${runtime.name})`
    : `journal at synchronous=FULL, WAL, one transaction per cycle (${runtime.name})`,
);
await run(1, 500);
await run(100, 100);
await run(1000, 40);
await run(5000, 10);
console.log('sustained, as the journal grows past 400k events:');
await run(1000, 300);
console.log(`events handed to listeners: ${delivered.toLocaleString('en')}`);
await db.destroy();
await scratch?.drop();
rmSync(dir, { recursive: true, force: true });
