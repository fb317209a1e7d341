/**
 * Plant scale, black-box: 100 PLCs polled every second with up to 1000 datapoints each and one
 * rule per 10 datapoints, on one node (SQLite) and on three (PostgreSQL), each node its own
 * process. Prints, per level of points/s, each node's CPU split into its main thread and its
 * busiest other thread (the poller worker: libuv's pool and V8's helpers stay far below it),
 * and the poll cycles missed. Prints figures, asserts nothing.
 *
 * The simulator runs in this process; all PLCs read the same registers, and every second a
 * share CHURN of them (default 0.1) gets a new value, so that share of each PLC's points
 * changes at each poll: values to hand out, and rules (alarm above 90) to evaluate and journal.
 * Run: npx tsx scripts/bench-plant.ts   (LEVELS=100,500,1000 datapoints per PLC, SECONDS=10, NODES=1,3, CHURN=0.1)
 */
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type Db } from '../src/db/database.js';
import { createSimulator } from '../src/modbus/simulator.js';
import { nodeSqlite } from '../src/runtime/node.js';
import { startNode, type ClusterNodeProcess } from '../test/helpers/cluster-nodes.js';
import { freshPostgres } from '../test/helpers/postgres.js';
import { threadRunNs } from './fanout/proc-stats.js';

const PLCS = 100;
const LEVELS = (process.env['LEVELS'] ?? '100,500,1000').split(',').map(Number);
const SECONDS = Number(process.env['SECONDS'] ?? 10);
const NODE_COUNTS = (process.env['NODES'] ?? '1,3').split(',').map(Number);

const CHURN = Number(process.env['CHURN'] ?? 0.1);

const sim = await createSimulator();
const addresses = Array.from({ length: 1000 }, (_, i) => i);
const churn = setInterval(() => {
  // CHURN x 1000 distinct registers (a partial shuffle), each to a new value
  const count = Math.round(CHURN * addresses.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (addresses.length - i));
    [addresses[i], addresses[j]] = [addresses[j]!, addresses[i]!];
    sim.setHolding(addresses[i]!, (sim.bank.holding[addresses[i]!]! + 1 + Math.floor(Math.random() * 98)) % 100); // never the same value
  }
}, 1000);
churn.unref();

/** The plant written straight into the database: 100k datapoints through REST would take minutes. */
async function seed(db: Db, perPlc: number): Promise<void> {
  await migrateToLatest(db);
  const now = new Date().toISOString();
  for (let p = 0; p < PLCS; p++) {
    const plc = await db
      .insertInto('plcs')
      .values({
        name: `PLC${p}`,
        host: sim.host,
        port: sim.port,
        unit_id: 1,
        poll_interval_ms: 1000,
        timeout_ms: 1000,
        max_in_flight: 1,
        enabled: 1,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const points = await db
      .insertInto('datapoints')
      .values(
        Array.from({ length: perPlc }, (_, i) => ({
          plc_id: plc.id,
          label: `P${i}`,
          description: '',
          area: 'holding',
          address: i,
          type: 'uint16',
          word_order: 'big',
          scale: 1,
          offset: 0,
          unit: '',
          created_at: now,
          updated_at: now,
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('rules')
      .values(
        points
          .filter((_, i) => i % 10 === 0)
          .map((d) => ({
            datapoint_id: d.id,
            name: `R${d.id}`,
            severity: 'medium',
            comparison: 'above',
            warning_threshold: null,
            alarm_threshold: 90,
            deadband: 1,
            on_delay_ms: 0,
            off_delay_ms: 0,
            schedule: null,
            enabled: 1,
            created_at: now,
            updated_at: now,
          })),
      )
      .execute();
  }
}

/** Run time so far of each thread of `pid` (ns), by thread id. */
function threadTimes(pid: number): Map<string, number> {
  const times = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      times.set(tid, threadRunNs(pid, tid));
    } catch {
      // ended meanwhile
    }
  }
  return times;
}

async function pollFigures(n: ClusterNodeProcess, token: string): Promise<Map<number, number>> {
  const stats = (await n.call('GET', '/api/stats', { token })).json as { plcs: { plc_id: number; reads: number }[] };
  return new Map(stats.plcs.map((p) => [p.plc_id, p.reads]));
}
async function pollErrors(nodes: ClusterNodeProcess[], token: string): Promise<number> {
  const all = await Promise.all(
    nodes.map(async (n) => ((await n.call('GET', '/api/stats', { token })).json as { plcs: { errors: number }[] }).plcs),
  );
  return all.flat().reduce((sum, p) => sum + p.errors, 0);
}
const pollReads = async (n: ClusterNodeProcess, token: string) => [...(await pollFigures(n, token)).values()].reduce((a, b) => a + b, 0);

/** Requests made in the window by PLCs polled by the same node at both ends of it (a PLC that moved would count twice or not at all). */
function readsBetween(before: Map<number, number>[], after: Map<number, number>[]): { reads: number; plcs: number } {
  let reads = 0;
  let plcs = 0;
  after.forEach((figures, i) => {
    for (const [plc, n] of figures) {
      const was = before[i]!.get(plc);
      if (was !== undefined) (reads += n - was), plcs++;
    }
  });
  return { reads, plcs };
}

const pct = (ns: number) => `${((ns / 1e9 / SECONDS) * 100).toFixed(1).padStart(5)} %`;

console.log(
  `plant: ${PLCS} PLCs polled every 1 s, one rule per 10 datapoints, ${CHURN * 100} % of values changing at each poll, ${SECONDS} s measured`,
);
for (const nodeCount of NODE_COUNTS) {
  for (const perPlc of LEVELS) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-plant-'));
    const pgdb = nodeCount > 1 ? await freshPostgres() : undefined;
    const location = pgdb?.url ?? join(dir, 'plant.sqlite');
    const db = openDatabase(location, nodeSqlite);
    await seed(db, perPlc);
    await db.destroy();
    const requestsPerCycle = Math.ceil(perPlc / 125); // the stats count Modbus requests: 125 registers each
    const nodes = await Promise.all(Array.from({ length: nodeCount }, (_, i) => startNode(location, `n${i}`, { DEMO: '0' })));
    try {
      const token = await nodes[0]!.login();
      // Settled: the PLCs shared out (a cluster rebalances as its nodes join), each polled a few times.
      for (;;) {
        const held = ((await nodes[0]!.call('GET', '/api/cluster', { token })).json.nodes as { plc_ids: number[] }[]).map(
          (n) => n.plc_ids.length,
        );
        const share = Math.ceil(PLCS / nodeCount);
        const shared =
          nodeCount === 1 || (held.length === nodeCount && held.every((n) => n <= share) && held.reduce((a, b) => a + b, 0) === PLCS);
        const _reads = (await Promise.all(nodes.map((n) => pollReads(n, token)))).reduce((a, b) => a + b, 0);
        if (shared) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // ...and two cycles of every PLC on its settled owner, connections made, before measuring.
      const settledAt = (await Promise.all(nodes.map((n) => pollReads(n, token)))).reduce((a, b) => a + b, 0);
      while (
        (await Promise.all(nodes.map((n) => pollReads(n, token)))).reduce((a, b) => a + b, 0) <
        settledAt + PLCS * 2 * requestsPerCycle
      ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const before = nodes.map((n) => ({ times: threadTimes(n.pid) }));
      const errorsBefore = await pollErrors(nodes, token);
      const readsBefore = await Promise.all(nodes.map((n) => pollFigures(n, token)));
      await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
      const readsAfter = await Promise.all(nodes.map((n) => pollFigures(n, token)));
      const after = nodes.map((n) => threadTimes(n.pid));
      const errors = (await pollErrors(nodes, token)) - errorsBefore;
      const { reads, plcs } = readsBetween(readsBefore, readsAfter);
      const expected = plcs * SECONDS * requestsPerCycle;
      const missed = Math.max(0, Math.round((expected - reads) / requestsPerCycle));
      const rows = nodes.map((n, i) => {
        const delta = new Map([...after[i]!].map(([tid, ns]) => [tid, ns - (before[i]!.times.get(tid) ?? 0)]));
        const main = delta.get(String(n.pid)) ?? 0;
        const others = [...delta]
          .filter(([tid]) => tid !== String(n.pid))
          .map(([, ns]) => ns)
          .sort((a, b) => b - a);
        const total = [...delta.values()].reduce((a, b) => a + b, 0);
        return `${n.name}: main ${pct(main)}, worker ${pct(others[0] ?? 0)}, all threads ${pct(total)}`;
      });
      const pointsPerS = PLCS * perPlc;
      console.log(
        `${nodeCount} node(s), ${String(pointsPerS).padStart(6)} points/s: ${rows.join(' | ')}; requests ${reads}/${expected} (${plcs} PLCs polled by one node throughout), poll errors ${errors}, cycles missed ${missed}`,
      );
    } finally {
      // An orderly stop writes the profile PROFILE_MAIN_DIR asks for; otherwise nothing to wait for.
      for (const n of nodes) (process.env['PROFILE_MAIN_DIR'] ? n.stop : n.kill)();
      await Promise.all(nodes.map((n) => n.exited));
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
await sim.close();
