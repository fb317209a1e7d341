/**
 * Memory soak: does the server's RSS stay flat under ordinary load?
 *
 * Starts the built server (`node dist/src/main.js`, DEMO=0, a fresh temp database) as a child
 * process, plus a Modbus simulator process whose registers the rules watch flip at 5 Hz. Then:
 * a PLC polled every 50 ms, 5 datapoints with a rule each (each rule changes state 5 times a
 * second), 100 WebSocket + 20 SSE clients signed in as admin, and once a second one
 * GET /api/alarms/active and one PUT /api/items/<uuid>. Every 10 s it reads the server's RSS
 * (/proc/<pid>/status) and its heap/external figures (process.memoryUsage() over IPC) and prints
 * a row; at the end, the RSS drift over the second half (max - min, and the least-squares slope
 * in MiB per 10 minutes). Prints figures, asserts nothing. Loopback only; stops by itself.
 *
 * Run: npm run build && npx tsx scripts/bench-soak.ts
 * Environment (all optional):
 *   SOAK_MINUTES     length of the load, default 30
 *   SOAK_SAMPLE_S    seconds between samples, default 10
 *   SOAK_WS / SOAK_SSE   clients, default 100 / 20
 *   SOAK_RULES       datapoints and rules, default 5;  SOAK_FLIP_HZ  value flips a second, default 5
 *   SOAK_SERVER_DIR  the repo whose dist/ runs, default this one (build it first)
 *   SOAK_CHILD_ENV   extra server environment, "K=V,K=V" (e.g. MALLOC_ARENA_MAX=2)
 *   SOAK_NODE_ARGS   node flags for the server, space-separated (default: npm start's --max-semi-space-size=2)
 *   SOAK_GC=1        a full GC before each heap reading (needs SOAK_NODE_ARGS=--expose-gc)
 *   SOAK_CSV         write the samples to this CSV file too
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { clientRpc } from './fanout/protocol.js';
import { createPlant, restTraffic, signIn } from './soak/api.js';
import type { SimAnswer, SimQuestion, SimReady } from './soak/flipping-simulator.js';
import { startServerChild } from './soak/server-child.js';
import { streamClients } from './soak/stream-clients.js';
import { drift, mib, secondHalf, tableHeader, tableRow, type Sample } from './soak/trend.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const MINUTES = num('SOAK_MINUTES', 30);
const SAMPLE_S = num('SOAK_SAMPLE_S', 10);
const WS_CLIENTS = num('SOAK_WS', 100);
const SSE_CLIENTS = num('SOAK_SSE', 20);
const RULES = num('SOAK_RULES', 5);
const FLIP_HZ = num('SOAK_FLIP_HZ', 5);
const POLL_MS = 50;
const FORCE_GC = env['SOAK_GC'] === '1';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SERVER_DIR = resolve(env['SOAK_SERVER_DIR'] ?? REPO);
const CHILD_ENV = Object.fromEntries(
  (env['SOAK_CHILD_ENV'] ?? '')
    .split(',')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
);
// Default: the flags `npm start` runs the server with.
const NODE_ARGS = (env['SOAK_NODE_ARGS'] ?? '--max-semi-space-size=2').split(/\s+/).filter(Boolean);
const ADMIN = { username: 'admin', password: 'soak-password-long-enough' };
const DEADLINE_MS = (MINUTES + 4) * 60_000;

if (!existsSync(join(SERVER_DIR, 'dist/src/main.js'))) {
  console.error(`bench-soak: ${SERVER_DIR}/dist/src/main.js is missing: run npm run build there first`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'alarm-soak-'));
const serverLines: string[] = [];
const sim = await startSimulator();
const server = await startServerChild({
  serverDir: SERVER_DIR,
  dir,
  env: {
    ...CHILD_ENV,
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'soak-secret-that-is-at-least-32-bytes-long',
    TOKEN_TTL_S: String(Math.max(3600, (MINUTES + 10) * 60)),
  },
  nodeArgs: NODE_ARGS,
  onLine: (line) => serverLines.push(line),
});
const watchdog = setTimeout(() => {
  console.log(`\nbench-soak: still running after ${DEADLINE_MS / 60_000} min, giving up`);
  process.kill(server.pid, 'SIGKILL');
  sim.close();
  process.exit(1);
}, DEADLINE_MS);
watchdog.unref();

console.log('memory soak (prints figures, asserts nothing)');
console.log(`server: ${SERVER_DIR} dist/src/main.js, pid ${server.pid}, ${server.url}, database ${server.database}`);
console.log(
  `server env extra: ${JSON.stringify(CHILD_ENV)}; node args: ${JSON.stringify(NODE_ARGS)}; forced GC before heap readings: ${FORCE_GC}`,
);
console.log(
  `load: ${RULES} rules flipping at ${FLIP_HZ} Hz (poll ${POLL_MS} ms), ${WS_CLIENTS} WS + ${SSE_CLIENTS} SSE clients (admin, all topics), ` +
    `1 GET /api/alarms/active + 1 PUT /api/items/<uuid> a second; ${MINUTES} min, a sample every ${SAMPLE_S} s\n`,
);

const api = await signIn(server.url, ADMIN.username, ADMIN.password);
await createPlant(api, sim, RULES, POLL_MS);
for (let tries = 0; (await sim.ask()).requests < 5; tries++) {
  if (tries > 200) throw new Error('the soak PLC was never polled');
  await sleep(50);
}
const clients = streamClients(server.url, api.token);
await clients.openWs(WS_CLIENTS);
await clients.openSse(SSE_CLIENTS);
const rest = restTraffic(api);

const samples: Sample[] = [];
const started = performance.now();
const flipsAtStart = (await sim.ask()).flips;
const atStart = clients.totals();
const cpuAtStart = server.cpuSeconds();
let last = {
  at: started,
  cpu: cpuAtStart,
  messages: atStart.ws.messages + atStart.sse.messages,
  alarmStates: atStart.ws.alarmStates + atStart.sse.alarmStates,
};
console.log(tableHeader());

const restTimer = setInterval(() => void rest.tick(), 1000);
await takeSample();
const endAt = started + MINUTES * 60_000;
while (performance.now() < endAt) {
  await sleep(Math.min(SAMPLE_S * 1000 - ((performance.now() - started) % (SAMPLE_S * 1000)), endAt - performance.now()));
  await takeSample();
}
clearInterval(restTimer);
const flips = (await sim.ask()).flips - flipsAtStart;
const cpuTotal = server.cpuSeconds() - cpuAtStart;
const spread = clients.alarmStateSpread();
const unexpected = clients.unexpectedCloses();
clients.closeAll();
await sleep(500);
const exit = await server.stop();
sim.close();

report();
rmSync(dir, { recursive: true, force: true });
process.exit(0);

async function takeSample(): Promise<void> {
  const now = performance.now();
  const proc = server.procStatus();
  const inner = await server.inner(FORCE_GC);
  const files = server.files();
  const workers = server.workers();
  const totals = clients.totals();
  const cpu = server.cpuSeconds();
  const messages = totals.ws.messages + totals.sse.messages;
  const alarmStates = totals.ws.alarmStates + totals.sse.alarmStates;
  const seconds = (now - last.at) / 1000 || 1;
  const sample: Sample = {
    t: (now - started) / 1000,
    rss: proc.VmRSS,
    rssAnon: proc.RssAnon,
    rssFile: proc.RssFile,
    threads: proc.Threads,
    heapUsed: inner?.heapUsed ?? NaN,
    heapTotal: inner?.heapTotal ?? NaN,
    external: inner?.external ?? NaN,
    arrayBuffers: inner?.arrayBuffers ?? NaN,
    mallocedMemory: inner?.mallocedMemory ?? NaN,
    newSpace: inner?.newSpace ?? NaN,
    oldSpace: inner?.oldSpace ?? NaN,
    workerHeapUsed: workers?.heapUsed ?? NaN,
    workerHeapTotal: workers?.heapTotal ?? NaN,
    wal: files.wal,
    db: files.db,
    cpuPercent: ((cpu - last.cpu) / seconds) * 100,
    messagesPerS: (messages - last.messages) / seconds,
    alarmStatesPerS: (alarmStates - last.alarmStates) / seconds / (WS_CLIENTS + SSE_CLIENTS),
  };
  last = { at: now, cpu, messages, alarmStates };
  samples.push(sample);
  console.log(tableRow(sample));
}

function report(): void {
  const half = secondHalf(samples);
  const line = (name: string, pick: (s: Sample) => number) => {
    const h = drift(half, pick);
    const all = drift(samples, pick);
    return (
      `  ${name.padEnd(12)} second half: max - min ${h.range.toFixed(1)} MiB, slope ${h.perTenMin.toFixed(2)} MiB/10 min;` +
      ` whole run: slope ${all.perTenMin.toFixed(2)} MiB/10 min (${mib(pick(samples[0]!))} -> ${mib(pick(samples.at(-1)!))} MiB)`
    );
  };
  const h = drift(half, (s) => s.rss);
  console.log(
    `\nRSS drift over the second half (${half.length} samples, from minute ${((half[0]?.t ?? 0) / 60).toFixed(1)}): max - min ${h.range.toFixed(1)} MiB, linear slope ${h.perTenMin.toFixed(2)} MiB/10 min`,
  );
  console.log(line('RSS', (s) => s.rss));
  console.log(line('RssAnon', (s) => s.rssAnon));
  console.log(line('RssFile', (s) => s.rssFile));
  console.log(line('heapUsed', (s) => s.heapUsed));
  console.log(line('heapTotal', (s) => s.heapTotal));
  console.log(line('new space', (s) => s.newSpace));
  console.log(line('old space', (s) => s.oldSpace));
  console.log(line('external', (s) => s.external));
  console.log(line('v8 malloc', (s) => s.mallocedMemory));
  console.log(line('worker heap', (s) => s.workerHeapUsed));
  console.log(line('worker tot', (s) => s.workerHeapTotal));
  console.log(line('WAL file', (s) => s.wal));
  console.log(`  highest sampled RSS ${mib(Math.max(...samples.map((s) => s.rss)))} MiB`);
  const cpuSeconds = samples.length > 1 ? cpuTotal : NaN;
  console.log(
    `  server CPU during the load: ${cpuSeconds.toFixed(0)} s, ${((cpuSeconds / (samples.at(-1)!.t || 1)) * 100).toFixed(1)}% of one core`,
  );
  const expected = flips * RULES;
  console.log(
    `delivery: ${flips} flips x ${RULES} rules ~ ${expected} alarm_state transitions; per client received min ${spread.min}, max ${spread.max}` +
      ` (a client connected after start-up, so a few more or fewer is expected)`,
  );
  console.log(`unexpected stream closes: ${JSON.stringify(unexpected)}`);
  console.log(`REST: ${JSON.stringify(rest.counts())}`);
  const problems = serverLines.filter((l) => /^(warn|error):/.test(l));
  console.log(
    `server: exit ${exit}; ${serverLines.length} log lines, ${problems.length} warnings/errors${problems.length ? `: ${problems.slice(0, 5).join(' | ')}` : ''}`,
  );
  if (env['SOAK_CSV']) {
    const keys = Object.keys(samples[0]!) as (keyof Sample)[];
    writeFileSync(env['SOAK_CSV'], `${[keys.join(','), ...samples.map((s) => keys.map((k) => s[k]).join(','))].join('\n')}\n`);
    console.log(`samples written to ${env['SOAK_CSV']}`);
  }
}

/** The flipping simulator in a process of its own. */
async function startSimulator() {
  const child = fork(fileURLToPath(new URL('./soak/flipping-simulator.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    cwd: REPO, // where `tsx` resolves
    env: { ...env, SOAK_SIM: JSON.stringify({ count: RULES, periodMs: 1000 / FLIP_HZ }) },
  });
  const { port } = await new Promise<SimReady>((done) => child.once('message', done));
  const request = clientRpc<SimQuestion>(child);
  return {
    host: '127.0.0.1',
    port,
    ask: () => request<SimAnswer>({ cmd: 'requests' }),
    close: () => child.connected && child.disconnect(),
  };
}
