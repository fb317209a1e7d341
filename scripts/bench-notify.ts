/**
 * Notifications under load, black-box: the app as its own process, started as `npm start` starts
 * it (fanout/app-under-test.ts: a SQLite file; RUNTIME=bun: `bun src/main.ts`), 200 rules on one
 * PLC polled every 100 ms whose registers cross the limit every 200 ms (1000 transitions/s), a
 * WebSocket client, and N webhook receivers, all in this process. Two runs: without notifiers
 * (the floor), then with N webhook notifiers on every event type. Prints, for each run, stream
 * latency (event ts -> the client) and for the second also delivery latency (event ts -> each
 * receiver), p50 and p99, and the app's CPU per webhook; then every endpoint hangs for a few
 * seconds, and the loops' rate while they catch up is what they can deliver. A third run is the
 * webhook floor: a bare client process (same runtime, undici) POSTs the same signed bodies to
 * the same receivers, one at a time per receiver over a kept-alive connection (as a notifier
 * must, to keep order), as fast as they answer: what this machine allows. Prints figures,
 * asserts nothing.
 * Run: npx tsx scripts/bench-notify.ts   (RUNTIME=node|bun NOTIFIERS=10 SECONDS=10 WARMUP_SECONDS=5 STALL_SECONDS=3)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici/index.js';
import WebSocket from 'ws';
import { createSimulator } from '../src/modbus/simulator.js';
import { webhookSignature } from '../src/notify/webhook.js';
import { startAppUnderTest } from './fanout/app-under-test.js';
import { buildApp, type Runtime } from './fanout/server-command.js';

const NOTIFIERS = Number(process.env['NOTIFIERS'] ?? 10);
const SECONDS = Number(process.env['SECONDS'] ?? 10);
/** Before the window: the JIT warms up, and the notifiers' backlog from their cold start drains. */
const WARMUP_SECONDS = Number(process.env['WARMUP_SECONDS'] ?? 5);
const RULES = 200;
/** After the window: every endpoint hangs this long, then the loops catch up (0: skip). */
const STALL_SECONDS = Number(process.env['STALL_SECONDS'] ?? 3);
const CATCH_UP_LIMIT_S = 60;
const RUNTIME = (process.env['RUNTIME'] ?? 'node') as Runtime;
if (RUNTIME !== 'node' && RUNTIME !== 'bun') throw new Error(`RUNTIME must be node or bun, not ${String(RUNTIME)}`);
/** Replaces npm start's node flags, e.g. "--max-semi-space-size=2 --cpu-prof --cpu-prof-dir=/tmp/prof". */
const SERVER_NODE_FLAGS = process.env['SERVER_NODE_FLAGS']?.split(/\s+/).filter(Boolean);
const REPO = fileURLToPath(new URL('..', import.meta.url));

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const line = (what: string, xs: number[]) =>
  console.log(`  ${what}: ${xs.length} messages, p50 ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms`);

/** Wall-clock ms with a fraction (an event's ts is whole ms; the arrival need not be). */
const nowMs = () => performance.timeOrigin + performance.now();

/**
 * A webhook endpoint that answers 200 at once and notes how late each event arrived; while
 * `stalled` it holds its answers (up to the stall's end), as an endpoint that hangs.
 */
async function receiver(delays: number[]) {
  let stall: { until: Promise<void> } | null = null;
  let catchUp: { lateMs: number; resolve: (at: number) => void } | null = null;
  /** When each request came (nowMs), of every event type. */
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const ts = /"ts":"([^"]+)"/.exec(body)?.[1];
      const at = nowMs();
      const delay = ts ? at - Date.parse(ts) : Number.NaN;
      if (body.includes('"alarm_state"')) delays.push(delay);
      arrivals.push(at);
      if (catchUp && delay < catchUp.lateMs) {
        catchUp.resolve(at);
        catchUp = null;
      }
      if (stall) void stall.until.then(() => res.writeHead(200).end());
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    /** Holds every answer until `until` resolves. */
    stall: (until: Promise<void>) => {
      stall = { until };
      void until.then(() => (stall = null));
    },
    /** Resolves with the time of the next request whose event was at most `lateMs` old. */
    caughtUp: (lateMs: number) => new Promise<number>((resolve) => (catchUp = { lateMs, resolve })),
    close: () => server.close(),
  };
}

async function run(notifiers: number): Promise<void> {
  const sim = await createSimulator();
  const delivered: number[] = [];
  const receivers = await Promise.all(Array.from({ length: notifiers }, () => receiver(delivered)));
  const app = await startAppUnderTest({
    repo: REPO,
    runtime: RUNTIME,
    nodeFlags: SERVER_NODE_FLAGS,
    sim: { host: sim.host, port: sim.port, requests: async () => sim.stats().requests },
    registers: RULES,
    pollMs: 100,
  });
  const appCpuSeconds = () => app.cpuMs() / 1000;
  try {
    const auth = { authorization: `Bearer ${app.token}` };
    for (const [i, r] of receivers.entries()) {
      const res = await fetch(`${app.url}/api/notifiers`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'webhook',
          name: `hook ${i}`,
          url: r.url,
          secret: 'bench-secret-0123456789',
          max_per_rule_per_min: 1000,
        }),
      });
      if (res.status !== 201) throw new Error(`notifier: ${res.status} ${await res.text()}`);
    }
    const streamed: number[] = [];
    const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws?topics=alarms`, { headers: auth, perMessageDeflate: false });
    ws.on('message', (data) => {
      const text = String(data);
      if (!text.includes('"alarm_state"')) return;
      const now = nowMs();
      for (const m of text.matchAll(/"ts":"([^"]+)"/g)) streamed.push(now - Date.parse(m[1]!));
    });
    await new Promise((resolve) => ws.once('open', resolve));

    let high = false;
    const flip = setInterval(() => {
      high = !high;
      for (let i = 0; i < RULES; i++) sim.setHolding(i, high ? 80 : 20);
    }, 200);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
    streamed.length = 0;
    delivered.length = 0;
    const appCpu = appCpuSeconds();
    const ownCpu = process.cpuUsage();
    const requests = () => receivers.reduce((n, r) => n + r.arrivals.length, 0);
    const requestsBefore = requests();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const appCores = (appCpuSeconds() - appCpu) / SECONDS;
    const own = process.cpuUsage(ownCpu);
    const ownCores = (own.user + own.system) / 1e6 / SECONDS;
    const requestsInWindow = requests() - requestsBefore;
    const streamWindow = [...streamed];
    const deliveredWindow = [...delivered];
    const stalled = notifiers > 0 && STALL_SECONDS > 0 ? await stallAndCatchUp(receivers, appCpuSeconds) : null;
    clearInterval(flip);
    console.log(
      `${notifiers} webhook notifier(s), ~${(streamWindow.length / SECONDS).toFixed(0)} transitions/s streamed; CPU: app ${appCores.toFixed(2)} cores, bench (receivers, PLC, client) ${ownCores.toFixed(2)}`,
    );
    line('stream (event ts -> WS client)', streamWindow);
    if (notifiers > 0) {
      line(`webhooks (event ts -> receiver), ${(deliveredWindow.length / SECONDS / notifiers).toFixed(0)}/s per notifier`, deliveredWindow);
      console.log(`  app CPU per webhook while keeping up: ${((appCores * SECONDS * 1e6) / requestsInWindow).toFixed(1)} µs`);
    }
    if (stalled) console.log(`  ${stalled}`);
    ws.terminate();
  } finally {
    await app.stop(); // SIGTERM: an orderly stop (and a CPU profile written, with --cpu-prof in SERVER_NODE_FLAGS)
    for (const r of receivers) r.close();
    await sim.close();
  }
}

/**
 * Every endpoint hangs for STALL_SECONDS (within the 5 s time-out, so no attempt fails), then
 * answers again: the loops are behind by that many seconds of events, and catch up while new
 * ones keep coming. Each loop is caught up once an event reaches its receiver at most 250 ms
 * old. The rate a loop drains at is what it can deliver, against the floor's.
 */
async function stallAndCatchUp(receivers: Receiver[], appCpuSeconds: () => number): Promise<string> {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  for (const r of receivers) r.stall(until);
  await new Promise((resolve) => setTimeout(resolve, STALL_SECONDS * 1000));
  const counted = receivers.map((r) => r.arrivals.length);
  const cpu = appCpuSeconds();
  const from = nowMs();
  const limit = new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), CATCH_UP_LIMIT_S * 1000));
  const caught = receivers.map((r) => Promise.race([r.caughtUp(250), limit]));
  release();
  const at = await Promise.all(caught);
  const cpuUsed = appCpuSeconds() - cpu;
  if (at.some(Number.isNaN)) return `after a ${STALL_SECONDS} s stall of every endpoint: not all caught up within ${CATCH_UP_LIMIT_S} s`;
  const rates = receivers.map((r, i) => r.arrivals.filter((t, k) => k >= counted[i]! && t <= at[i]!).length / ((at[i]! - from) / 1000));
  const messages = receivers.reduce((n, r, i) => n + r.arrivals.length - counted[i]!, 0);
  const last = Math.max(...at) - from;
  return (
    `after a ${STALL_SECONDS} s stall of every endpoint: caught up in ${(Math.min(...at) - from).toFixed(0)}-${last.toFixed(0)} ms, ` +
    `draining at ${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}/s per notifier; app CPU per webhook meanwhile ${((cpuUsed * 1e6) / messages).toFixed(1)} µs`
  );
}

type Receiver = Awaited<ReturnType<typeof receiver>>;

/** The floor: N serial keep-alive POST loops from another process, SECONDS long. */
async function floor(notifiers: number): Promise<void> {
  const counts: number[] = [];
  const receivers = await Promise.all(Array.from({ length: notifiers }, () => receiver(counts)));
  try {
    const args = [fileURLToPath(import.meta.url), 'floor-client', String(SECONDS), ...receivers.map((r) => r.url)];
    const child =
      RUNTIME === 'bun'
        ? spawn(`${REPO}node_modules/.bin/bun`, args, { stdio: ['ignore', 'pipe', 'inherit'] })
        : spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const [sent, cpuMicros] = out.trim().split(' ').map(Number) as [number, number];
    console.log(
      `floor: a bare client, ${notifiers} serial keep-alive POST loops: ${(sent / SECONDS / notifiers).toFixed(0)}/s per loop, ${(cpuMicros / sent).toFixed(1)} µs of its CPU per POST`,
    );
  } finally {
    for (const r of receivers) r.close();
  }
}

/** The floor's client: signed event-sized POSTs, one at a time per URL; prints how many were answered. */
async function floorClient(seconds: number, urls: string[]): Promise<void> {
  const body = JSON.stringify({
    id: 1,
    topic: 'alarms',
    type: 'alarm_state',
    ts: new Date().toISOString(),
    rule_id: 1,
    rule_name: 'R1',
    state: 'ALARM',
    message: 'x'.repeat(300),
  });
  const end = Date.now() + seconds * 1000;
  const cpu = process.cpuUsage();
  let answered = 0;
  await Promise.all(
    urls.map(async (url) => {
      const { origin, pathname } = new URL(url);
      const client = new Client(origin, { pipelining: 1 });
      const post = () =>
        new Promise<void>((resolve, reject) =>
          client.dispatch(
            {
              path: pathname,
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-alarm-signature': webhookSignature('bench-secret-0123456789', body) },
              body,
            },
            {
              onRequestStart: () => {},
              onResponseStart: () => {
                answered++;
                resolve();
              },
              onResponseError: (_c, err) => reject(err),
            },
          ),
        );
      while (Date.now() < end) await post();
      await client.close();
    }),
  );
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${answered} ${used.user + used.system}\n`);
}

if (process.argv[2] === 'floor-client') {
  await floorClient(Number(process.argv[3]), process.argv.slice(4));
} else {
  if (RUNTIME === 'node') buildApp(REPO);
  console.log(`the app: ${RUNTIME === 'node' ? "npm start's command" : 'bun src/main.ts'} (fanout/app-under-test.ts), a SQLite file`);
  await run(0);
  await run(NOTIFIERS);
  await floor(NOTIFIERS);
}
