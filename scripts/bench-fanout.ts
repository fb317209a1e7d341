/**
 * Stream fan-out, black-box: the app as its own process, started as `npm start` starts it,
 * against a floor of the same runtime in a process of its own (on Node a plain `ws.send` loop
 * and a bare node:http SSE endpoint, floor-server.ts; on Bun a bare `Bun.serve` whose sockets
 * get each message by one `server.publish` and a bare SSE stream, bun-floor-server.ts), with
 * 1000 WebSocket + 200 SSE clients on each (topic `alarms`) in a third process. Each
 * server polls its own Modbus simulator (a fourth and fifth process) every 100 ms; the bench flips
 * registers there and times each change to the first and the last client. Prints figures,
 * asserts nothing.
 *
 * 1. memory: each server's RSS (/proc/<pid>/status) before any client, with the WebSockets, with
 *    the SSE streams too, and after the traffic: RSS per live stream, app against floor;
 * 2. latency: one register per change, at a random phase of the poll (the same phases for the floor
 *    round and the app round after it), floor and app rounds alternating. "read" is when the
 *    simulator got the poll that saw the change: read -> client is what the server adds, without
 *    the poll wait, which varies by tens of ms with the phase;
 * 3. batches: 20 registers flipped at every poll (20 events per poll), floor and app rounds
 *    alternating: delivered messages per second of server CPU and per wall second, app / floor;
 * 4. idle connections, last, on a fresh app and a fresh floor: 5000 authenticated WebSockets to
 *    the app (each counted once it got its snapshot) and 5000 to the floor (once open), held at
 *    once; RSS per connection, then all closed and 5000 opened again (the first round includes
 *    one-time growth). Fewer if the client process's open-files limit is short of 2 x 5000.
 *
 * The processes share the machine's cores, so client CPU weighs on every figure; runs alternate
 * so drift hits both alike. Times cross processes on the monotonic clock (mono-clock.ts). A
 * watchdog ends the run after 420 s (a run took 170-200 s on the 2-core machine).
 *
 * Run: npx tsx scripts/bench-fanout.ts
 *   RUNTIME=node|bun      the app's and the floor's runtime (default node: `npm run build`, then package.json's
 *                         start command; bun: `node_modules/.bin/bun src/main.ts`, the floor
 *                         `node_modules/.bin/bun scripts/fanout/floor-process.ts`)
 *   SERVER_NODE_FLAGS=... replaces npm start's node flags for the app ("" for none), e.g. to try without --max-semi-space-size
 *   FLOOR_NODE_FLAGS=...  node flags for the Node floor (default none)
 *   WARMUP_POLLS=n        batch polls per server before anything is measured (default 300)
 *   IDLE_CLIENTS=n        idle connections per server in section 4 (default 5000; 0 skips it)
 *   IDLE_SETTLE_MS=n      how long section 4 waits after each step before it reads RSS (default 10000:
 *                         Bun's collector returns the upgrades' garbage within that; at 2 s the
 *                         app's round 1 still counted ~1.5 KB per connection of it)
 *   WS_CLIENTS=n SSE_CLIENTS=n  live clients of each kind on each server (default 1000 and 200)
 *   SERVER_DIR=/path      another checkout to run as the app (built there too)
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startAppUnderTest } from './fanout/app-under-test.js';
import { bareCommitTimes } from './fanout/disk-commits.js';
import { startFloorProcess } from './fanout/floor-control.js';
import { idleConnections } from './fanout/idle-connections.js';
import { printCpu, printFanoutAlone, printLatencyTable, printThroughput, problems, type Figures } from './fanout/latency-table.js';
import { delivered, pollRun, quietRun, type RunPlan, type RunResult, type Target } from './fanout/poll-run.js';
import { clientRpc, type CloseReply, type Command, type ConnectReply, type InfoReply } from './fanout/protocol.js';
import { buildApp, type Runtime } from './fanout/server-command.js';
import { startSimulatorProcess } from './fanout/sim-control.js';
import { threadList, threadWindows } from './fanout/thread-windows.js';
import { int, ms, p50p99, percentile } from './fanout/stats.js';
import { printMemory, StreamMemory } from './fanout/stream-memory.js';

const WS_CLIENTS = Number(process.env['WS_CLIENTS'] ?? 1000);
const SSE_CLIENTS = Number(process.env['SSE_CLIENTS'] ?? 200);
const POLL_MS = 100;
const REGISTERS = 20; // per PLC: the batch phase flips them all at once
const LATENCY = { rounds: 4, events: 25 }; // per server, alternating: 100 events each
// Per server, alternating: 125 polls of 20 events each. Fewer rounds left the fan-out-alone ratio
// varying by ±0.06 from run to run, much of it the floor's own spread.
const BATCHES = { rounds: 5, polls: 25 };
const WARMUP_POLLS = Number(process.env['WARMUP_POLLS'] ?? 300);
const IDLE_CLIENTS = Number(process.env['IDLE_CLIENTS'] ?? 5000);
const IDLE_SETTLE_MS = Number(process.env['IDLE_SETTLE_MS'] ?? 10_000);
const DEADLINE_MS = 420_000;

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SERVER_DIR = resolve(process.env['SERVER_DIR'] ?? REPO);
const RUNTIME = (process.env['RUNTIME'] ?? 'node') as Runtime;
if (RUNTIME !== 'node' && RUNTIME !== 'bun') throw new Error(`RUNTIME must be node or bun, not ${String(RUNTIME)}`);
const flags = (name: string) => (process.env[name] === undefined ? undefined : process.env[name]!.split(/\s+/).filter(Boolean));

type Request = <T>(command: Command) => Promise<T>;
const cleanups: (() => unknown)[] = [];
const started = performance.now();
setTimeout(() => {
  console.log(`\nbench-fanout: still running after ${DEADLINE_MS / 1000} s, giving up`);
  for (const clean of cleanups)
    void Promise.resolve()
      .then(clean)
      .catch(() => {});
  setTimeout(() => process.exit(1), 1000).unref();
}, DEADLINE_MS).unref();

buildApp(REPO);
if (SERVER_DIR !== REPO && RUNTIME === 'node') buildApp(SERVER_DIR);

const child = fork(fileURLToPath(new URL('./fanout-clients.ts', import.meta.url)), [], {
  execPath: process.execPath,
  execArgv: ['--import', 'tsx'],
  cwd: REPO, // where `tsx` resolves
});
cleanups.push(() => child.kill());
const request: Request = clientRpc(child);
const [appSim, floorSim] = await Promise.all([startSimulatorProcess(), startSimulatorProcess()]);
cleanups.push(appSim.close, floorSim.close);
const app = await startAppUnderTest({
  repo: SERVER_DIR,
  runtime: RUNTIME,
  nodeFlags: flags('SERVER_NODE_FLAGS'),
  sim: appSim,
  registers: REGISTERS,
  pollMs: POLL_MS,
});
cleanups.push(() => app.stop());
const floorOptions = {
  repo: REPO,
  runtime: RUNTIME,
  nodeFlags: flags('FLOOR_NODE_FLAGS') ?? [],
  sim: floorSim,
  registers: REGISTERS,
  pollMs: POLL_MS,
};
const floor = await startFloorProcess(floorOptions);
cleanups.push(() => floor.stop());
const info = await request<InfoReply>({ cmd: 'info' });

console.log('stream fan-out benchmark, black-box (prints figures, asserts nothing)');
console.log(
  `app:     ${app.command} (pid ${app.pid}, cwd ${SERVER_DIR}, RUNTIME=${RUNTIME}); PLC polled every ${POLL_MS} ms, ${REGISTERS} registers, a rule on each`,
);
console.log(`floor:   ${floor.command} (pid ${floor.pid}); polls its own simulator the same way; ${floor.kind}`);
console.log(
  `clients: pid ${info.pid} (open-files limit ${info.openFilesLimit}); ${WS_CLIENTS} WS + ${SSE_CLIENTS} SSE on each server, topic alarms; ${availableParallelism()} cores shared by all`,
);
const loadAtStart = loadAverage();
console.log(`load average at start: ${loadAtStart} (other work on the machine skews every figure)\n`);

// 1. Memory while connecting, then the rounds.
const floorMem = new StreamMemory('floor', floor.memory);
const appMem = new StreamMemory('app', app.memory);
await Promise.all([floorMem.mark('idle', { ws: 0, sse: 0 }), appMem.mark('idle', { ws: 0, sse: 0 })]);
const wsUrl = `${app.url.replace(/^http/, 'ws')}/ws?topics=alarms`;
printConnect(
  'floor WS',
  await request<ConnectReply>({ cmd: 'connect-ws', group: 'floor', url: floor.wsUrl, count: WS_CLIENTS, concurrency: 100 }),
);
printConnect(
  'app WS',
  await request<ConnectReply>({ cmd: 'connect-ws', group: 'app', url: wsUrl, count: WS_CLIENTS, token: app.token, concurrency: 100 }),
);
await Promise.all([floorMem.mark('+WS', { ws: WS_CLIENTS, sse: 0 }), appMem.mark('+WS', { ws: WS_CLIENTS, sse: 0 })]);
printConnect(
  'floor SSE',
  await request<ConnectReply>({
    cmd: 'connect-sse',
    group: 'floor',
    url: floor.sseUrl,
    count: SSE_CLIENTS,
    token: 'unused',
    concurrency: 50,
  }),
);
printConnect(
  'app SSE',
  await request<ConnectReply>({
    cmd: 'connect-sse',
    group: 'app',
    url: `${app.url}/sse?topics=alarms`,
    count: SSE_CLIENTS,
    token: app.token,
    concurrency: 50,
  }),
);
const all = { ws: WS_CLIENTS, sse: SSE_CLIENTS };
await Promise.all([floorMem.mark('+SSE', all), appMem.mark('+SSE', all)]);
console.log(`  the floor sees ${await floor.clients()} clients\n`);

const threads = { floor: threadWindows(floor.pid), app: threadWindows(app.pid) };
const floorTarget: Target = { group: 'floor', sim: floorSim, cpuMs: threads.floor.counting(floor.cpuMs) };
const appTarget: Target = { group: 'app', sim: appSim, cpuMs: threads.app.counting(app.cpuMs) };
const phase = (name: string) => {
  threads.floor.phase(name);
  threads.app.phase(name);
};
let runId = 1;
async function alternate(rounds: number, plan: Omit<RunPlan, 'run' | 'seed'>): Promise<{ floor: Figures; app: Figures }> {
  const out = { floor: { runs: [] } as Figures, app: { runs: [] } as Figures };
  for (let round = 0; round < rounds; round++) {
    const seed = runId; // the same changes, at the same gaps, for the floor and then the app
    out.floor.runs.push(await pollRun(request, floorTarget, { ...plan, seed, run: runId++ }));
    out.app.runs.push(await pollRun(request, appTarget, { ...plan, seed, run: runId++ }));
  }
  return out;
}
// Warm-up, unreported: 30 s of batches on each side, so the rounds below measure the steady state
// and not the JIT. The app has far more code per poll than the floor (rules, journal, the poller's
// messages), and JSC was still compiling it after 150 polls: 32 compiles, 62 ms in the next 100
// (BUN_JSC_reportCompileTimes=1), counted as fan-out since the rounds with no client come later.
// Fan-out alone read 0.86-0.87x the floor with a 50-poll warm-up, 0.95-0.96x with 300, same hour.
phase('warm-up');
await alternate(1, { batches: WARMUP_POLLS, perBatch: REGISTERS, jitterMs: 0 });
phase('latency');
const loadBefore = { latency: loadAverage(), batches: '' };
const readsBefore = await app.pollReads();
const latency = await alternate(LATENCY.rounds, { batches: LATENCY.events, perBatch: 1, jitterMs: POLL_MS });
const readsAfter = await app.pollReads();
loadBefore.batches = loadAverage();
phase('batches');
const batches = await alternate(BATCHES.rounds, { batches: BATCHES.polls, perBatch: REGISTERS, jitterMs: 0 });
await Promise.all([floorMem.mark('after traffic', all), appMem.mark('after traffic', all)]);
const idle = await idleCpu(3000);

console.log(
  `== 1. memory: RSS per live stream (VmRSS of each server process, no GC forced, 1.5 s after each step; load average at start ${loadAtStart})`,
);
printMemory(floorMem, appMem, [
  ['idle', '+WS', `${WS_CLIENTS} WebSockets`],
  ['+WS', '+SSE', `${SSE_CLIENTS} SSE streams`],
  ['idle', '+SSE', `all ${WS_CLIENTS + SSE_CLIENTS} streams`],
  ['idle', 'after traffic', `all streams, after the rounds below`],
]);

console.log(
  `\nserver CPU with every stream connected, over 3 s after the rounds, nothing published: app ${idle.app.toFixed(1)} ms/s, floor ${idle.floor.toFixed(1)} ms/s (polling, timers, GC)`,
);

console.log(
  `\n== 2. latency: one register change at a random phase of the ${POLL_MS} ms poll, ${LATENCY.rounds} rounds of ${LATENCY.events} for floor and app in turn (load average before: ${loadBefore.latency})`,
);
printLatencyTable(latency.floor, latency.app);
const roundTrip = (readsAfter.latencySum - readsBefore.latencySum) / Math.max(readsAfter.reads - readsBefore.reads, 1);
console.log(
  `  the app's Modbus round trip (its own average over these rounds): ${ms(roundTrip, 2)}; "read" is when the simulator got the request`,
);
printCpu(latency.floor, latency.app);

console.log(
  `\n== 3. batches: ${REGISTERS} registers flipped at every poll (${REGISTERS} events per poll, ${int((REGISTERS * 1000) / POLL_MS)} events/s), ${BATCHES.rounds} rounds of ${BATCHES.polls} polls each in turn (load average before: ${loadBefore.batches})`,
);
printLatencyTable(batches.floor, batches.app);
printCpu(batches.floor, batches.app);
const throughput = printThroughput(batches.floor, batches.app, ((REGISTERS * 1000) / POLL_MS) * (WS_CLIENTS + SSE_CLIENTS));

const trouble = [latency, batches].flatMap((x) => [...problems('floor', x.floor), ...problems('app', x.app)]);
for (const t of trouble) console.log(`  PROBLEM: ${t}`);

const scratch = mkdtempSync(`${tmpdir()}/bench-fanout-disk-`);
const commits = await bareCommitTimes(scratch, 100, 10);
rmSync(scratch, { recursive: true, force: true });
console.log(
  `\nfor scale: 100 bare one-row commits at synchronous=FULL in ${tmpdir()} (the app's database is there): ${p50p99(commits)}; every app event waits for its commit`,
);

const closed = await request<CloseReply>({ cmd: 'close-all', timeoutMs: 10_000 });
console.log(`closed ${int(closed.closed)} clients in ${ms(closed.ms, 0)} (${closed.leftOver} left open)`);

// 3b. The batches' polls again with no client: what remains of a run's CPU is the fan-out's.
phase('quiet');
const quiet = { floor: [] as number[], app: [] as number[] };
for (let round = 0; round < BATCHES.rounds; round++) {
  quiet.floor.push(await quietRun(floorTarget, BATCHES.polls, REGISTERS, POLL_MS));
  quiet.app.push(await quietRun(appTarget, BATCHES.polls, REGISTERS, POLL_MS));
}
const fanout = printFanoutAlone(batches.floor, batches.app, {
  floor: percentile(quiet.floor, 0.5),
  app: percentile(quiet.app, 0.5),
});
const fanoutThreads = { floor: threads.floor.difference('batches', 'quiet'), app: threads.app.difference('batches', 'quiet') };
console.log(
  `  by thread, ms of CPU in the batch rounds beyond the same polls with no client: floor ${threadList(fanoutThreads.floor)}; app ${threadList(fanoutThreads.app)}`,
);
await floor.stop();
const exit = await app.stop();
const warnings = app.log.filter((l) => /warn|error/i.test(l));
console.log(
  `app: exited ${exit} on SIGTERM; ${app.log.length} log lines, ${warnings.length} warnings/errors${warnings.length ? `: ${warnings.slice(0, 3).join(' | ')}` : ''}`,
);

// 4. Idle connections, last (in the old in-process bench, idle sockets first slowed the process
// for the rest of its life): a fresh app and a fresh floor, so no traffic's leftovers count.
const idleCount = Math.min(IDLE_CLIENTS, Math.floor(((Number(info.openFilesLimit) || Infinity) - 200) / 2));
let idle4: Awaited<ReturnType<typeof idleConnections>> | undefined;
if (idleCount > 0) {
  const app2 = await startAppUnderTest({
    repo: SERVER_DIR,
    runtime: RUNTIME,
    nodeFlags: flags('SERVER_NODE_FLAGS'),
    sim: appSim,
    registers: REGISTERS,
    pollMs: POLL_MS,
  });
  cleanups.push(() => app2.stop());
  const floor2 = await startFloorProcess(floorOptions);
  cleanups.push(() => floor2.stop());
  console.log(
    `\n== 4. idle connections: ${int(idleCount)} authenticated WebSockets (topics=alarms, counted once each got its snapshot) to a fresh app (pid ${app2.pid}), ` +
      `${int(idleCount)} to a fresh floor (pid ${floor2.pid}, counted once open), all held at once; RSS ${IDLE_SETTLE_MS / 1000} s after each step; load average ${loadAverage()}`,
  );
  console.log(
    idleCount < IDLE_CLIENTS
      ? `  FEWER than ${int(IDLE_CLIENTS)}: the client process may open ${info.openFilesLimit} files (ulimit -n), and holds both servers' sockets at once`
      : `  the client process may open ${info.openFilesLimit} files (ulimit -n): enough for the ${int(2 * idleCount)} sockets`,
  );
  idle4 = await idleConnections(
    request,
    [
      {
        name: 'app',
        wsUrl: `${app2.url.replace(/^http/, 'ws')}/ws?topics=alarms`,
        token: app2.token,
        memory: app2.memory,
        held: async () => (await app2.streams()).ws,
      },
      { name: 'floor', wsUrl: floor2.wsUrl, memory: floor2.memory, held: floor2.clients },
    ],
    idleCount,
    IDLE_SETTLE_MS,
  );
  await floor2.stop();
  const exit2 = await app2.stop();
  const warnings2 = app2.log.filter((l) => /warn|error/i.test(l));
  console.log(
    `  fresh app: exited ${exit2} on SIGTERM, ${warnings2.length} warnings/errors${warnings2.length ? `: ${warnings2.slice(0, 3).join(' | ')}` : ''}; load average ${loadAverage()}`,
  );
}

// One line per figure, for collecting runs.
const kb = (b: number) => (b / 1024).toFixed(1);
const fig = (f: Figures, pick: (b: RunResult['batches'][number]) => number, q: number) =>
  percentile(
    f.runs
      .flatMap((r) => r.batches)
      .map(pick)
      .filter(Number.isFinite),
    q,
  ).toFixed(1);
const lastFromChange = (b: RunResult['batches'][number]) => b.lastRecv - b.changedAt;
const lastFromRead = (b: RunResult['batches'][number]) => b.lastRecv - b.readAt;
const cpuPerMsg = (f: Figures) =>
  percentile(
    f.runs.map((r) => (r.serverCpuMs * 1000) / Math.max(delivered(r), 1)),
    0.5,
  );
const perStream = (m: StreamMemory) => (m.stage('+SSE').mem.VmRSS - m.stage('idle').mem.VmRSS) / (WS_CLIENTS + SSE_CLIENTS);
const mainRatio = (fanoutThreads.floor.get('main') ?? NaN) / (fanoutThreads.app.get('main') ?? NaN);
console.log(`\n== summary (RUNTIME=${RUNTIME}; floor | app | app/floor)`);
console.log(
  `  batch: msgs per server-CPU s ${int(throughput.cpu.floor)} | ${int(throughput.cpu.app)} | ${throughput.cpu.ratio.toFixed(2)}; per wall s ${int(throughput.wall.floor)} | ${int(throughput.wall.app)} | ${throughput.wall.ratio.toFixed(2)}; CPU µs/msg ${cpuPerMsg(batches.floor).toFixed(2)} | ${cpuPerMsg(batches.app).toFixed(2)} | ${(cpuPerMsg(batches.app) / cpuPerMsg(batches.floor)).toFixed(2)} (load ${loadBefore.batches})`,
);
console.log(
  `  fan-out alone (CPU beyond the same polls with no client): msgs per server-CPU s ${int(fanout.floor)} | ${int(fanout.app)} | ${fanout.ratio.toFixed(2)}; main thread alone ${mainRatio.toFixed(2)}`,
);
console.log(
  `  latency: change -> last p50 ${fig(latency.floor, lastFromChange, 0.5)} | ${fig(latency.app, lastFromChange, 0.5)}, p99 ${fig(latency.floor, lastFromChange, 0.99)} | ${fig(latency.app, lastFromChange, 0.99)}; read -> last p50 ${fig(latency.floor, lastFromRead, 0.5)} | ${fig(latency.app, lastFromRead, 0.5)}, p99 ${fig(latency.floor, lastFromRead, 0.99)} | ${fig(latency.app, lastFromRead, 0.99)} ms (load ${loadBefore.latency})`,
);
console.log(`  RSS per live stream (all ${WS_CLIENTS + SSE_CLIENTS}): ${kb(perStream(floorMem))} | ${kb(perStream(appMem))} KB`);
if (idle4) {
  const [f, a] = [idle4.get('floor')!, idle4.get('app')!];
  console.log(
    `  RSS per idle WS: round 1 ${kb(f.round1)} | ${kb(a.round1)} KB; round 2 ${kb(f.round2)} | ${kb(a.round2)} KB (from all closed), ${kb(f.round2FromBase)} | ${kb(a.round2FromBase)} KB (from before round 1)`,
  );
}
console.log(`load average at the end: ${loadAverage()}; total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
appSim.close();
floorSim.close();
child.disconnect();
process.exit(0);

/** CPU each server uses per second of wall time while nothing happens but polling. */
async function idleCpu(ms: number): Promise<{ app: number; floor: number }> {
  const [a, f, t] = [app.cpuMs(), floor.cpuMs(), performance.now()];
  await sleep(ms);
  const seconds = (performance.now() - t) / 1000;
  return { app: (app.cpuMs() - a) / seconds, floor: (floor.cpuMs() - f) / seconds };
}

function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
}

function printConnect(what: string, r: ConnectReply): void {
  const errors = Object.entries(r.errors)
    .map(([why, n]) => `${n}x ${why}`)
    .join(', ');
  console.log(`  opened ${int(r.opened)} ${what} clients in ${ms(r.ms, 0)}${r.failed ? `; ${r.failed} FAILED: ${errors}` : ''}`);
}
