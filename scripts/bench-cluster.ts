/**
 * A cluster of two nodes on the local PostgreSQL, black-box: each node its own process, the
 * clients and the Modbus simulator in this one. Prints figures, asserts nothing.
 *
 * 1. Cross-node delivery: node A polls the one PLC; WS clients on A and on B. Each round moves
 *    a register across the rule's limit, and A journals the transition. A's first client to
 *    hear it stands for A's commit; "local" is the last client on A after that, "cross" the
 *    last client on B. The difference of their medians is what the trip through PostgreSQL
 *    (NOTIFY, then B's read of the table) adds, against the single-node path in the same run.
 * 2. Hand-over on SIGTERM and take-over after SIGKILL: from the signal to the moment the
 *    survivor's cluster view shows it polling the PLC (SPEC 12: 2 s and 15 s).
 *
 * Run: npx tsx scripts/bench-cluster.ts   (ROUNDS=200 CLIENTS=100 to change the load)
 */
import WebSocket from 'ws';
import { createSimulator } from '../src/modbus/simulator.js';
import { startNode, type ClusterNodeProcess } from '../test/helpers/cluster-nodes.js';
import { freshPostgres } from '../test/helpers/postgres.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 200);
const CLIENTS = Number(process.env['CLIENTS'] ?? 100);

const database = await freshPostgres();
const sim = await createSimulator();
const nodes: ClusterNodeProcess[] = [];
process.once('exit', () => nodes.forEach((n) => n.kill()));

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function ownerOf(n: ClusterNodeProcess, token: string, plcId: number): Promise<string | undefined> {
  const view = (await n.call('GET', '/api/cluster', { token })).json;
  return view.nodes.find((x: { plc_ids: number[] }) => x.plc_ids.includes(plcId))?.name;
}

/** Asks every 20 ms until `check`; the figure's resolution is that. */
async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

try {
  const a = await startNode(database.url, 'a', { MAX_STREAMS_PER_USER: '100000', HEARTBEAT_MS: '120000' });
  nodes.push(a);
  const token = await a.login();
  sim.setHolding(0, 20);
  const plc = (
    await a.call('POST', '/api/plcs', { token, body: { name: 'P', host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: 500 } })
  ).json;
  const point = (
    await a.call('POST', '/api/datapoints', { token, body: { plc_id: plc.id, label: 'LT', area: 'holding', address: 0, type: 'uint16' } })
  ).json;
  await a.call('POST', '/api/rules', {
    token,
    body: { datapoint_id: point.id, name: 'Level high', severity: 'high', comparison: 'above', alarm_threshold: 50 },
  });
  await until(async () => (await ownerOf(a, token, plc.id)) === 'a');
  const b = await startNode(database.url, 'b', { MAX_STREAMS_PER_USER: '100000', HEARTBEAT_MS: '120000' });
  nodes.push(b);
  await until(async () => ((await b.call('GET', '/api/cluster', { token })).json.nodes.length as number) === 2);

  // -- 1. cross-node delivery
  const heard = new Map<number, { a: number[]; b: number[] }>();
  let waiting: { id: number | null; left: number; done: () => void } | null = null;
  const open = (n: ClusterNodeProcess, side: 'a' | 'b') =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${n.ws}/ws?topics=alarms`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
      ws.on('error', reject);
      ws.on('message', (data) => {
        const text = String(data);
        if (!text.includes('"alarm_state"')) return void (text.includes('"snapshot"') && resolve());
        const at = performance.now();
        const id = Number(/"id":(\d+)/.exec(text)![1]);
        let times = heard.get(id);
        if (!times) heard.set(id, (times = { a: [], b: [] }));
        times[side].push(at);
        if (waiting && times.a.length + times.b.length === 2 * CLIENTS) waiting.done();
      });
    });
  await Promise.all(Array.from({ length: CLIENTS }, () => [open(a, 'a'), open(b, 'b')]).flat());

  const local: number[] = [];
  const cross: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = new Set(heard.keys());
    await new Promise<void>((done) => {
      waiting = { id: null, left: 2 * CLIENTS, done };
      sim.setHolding(0, r % 2 === 0 ? 80 : 20);
    });
    waiting = null;
    const id = [...heard.keys()].find((k) => !before.has(k))!;
    const t = heard.get(id)!;
    const first = Math.min(...t.a);
    local.push(Math.max(...t.a) - first);
    cross.push(Math.max(...t.b) - first);
  }
  console.log(`cross-node delivery, ${ROUNDS} transitions, ${CLIENTS} WS clients on each of 2 nodes (A polls the PLC)`);
  console.log(`  A's first client -> A's last client (single-node path): p50 ${ms(median(local))}, p95 ${ms(quantile(local, 0.95))}`);
  console.log(`  A's first client -> B's last client (through PostgreSQL): p50 ${ms(median(cross))}, p95 ${ms(quantile(cross, 0.95))}`);
  console.log(`  beyond the single-node figure: p50 +${ms(median(cross) - median(local))} (target <= 5 ms)`);

  // -- 2. hand-over and take-over
  let t0 = performance.now();
  a.stop();
  await until(async () => (await ownerOf(b, token, plc.id)) === 'b');
  console.log(`hand-over on SIGTERM: B polls the PLC ${ms(performance.now() - t0)} after the signal (SPEC: 2 s)`);
  await a.exited;
  const c = await startNode(database.url, 'c');
  nodes.push(c);
  await until(async () => ((await c.call('GET', '/api/cluster', { token })).json.nodes.length as number) === 2);
  t0 = performance.now();
  b.kill();
  await until(async () => (await ownerOf(c, token, plc.id)) === 'c');
  console.log(`take-over after SIGKILL: C polls the PLC ${ms(performance.now() - t0)} after the kill (SPEC: 15 s)`);
} finally {
  for (const n of nodes) n.kill();
  await Promise.all(nodes.map((n) => n.exited));
  await sim.close();
  await database.drop();
}
