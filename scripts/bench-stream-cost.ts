/**
 * What one more stream costs, black-box: the app and the floor of bench-fanout (same runtime,
 * each its own process polling its own simulator every 100 ms, 20 registers flipped at every
 * poll: 20 events a poll), with 0, N and 2N clients of one kind (SSE or WebSocket) in a client
 * process. For each step, server CPU per poll over POLLS polls, all threads and the main thread
 * alone. The cost of a stream is the slope between N and 2N clients, per delivered message: it
 * leaves out what a server spends per poll whatever its clients (the poll, the rules, the
 * journal; on Bun JSC's JIT and GC threads, which vary run to run), which bench-fanout's "fan-out
 * alone" subtracts from a separate run with no client. App and floor steps alternate, so drift
 * hits both alike. Prints figures, asserts nothing.
 *
 * Run: npx tsx scripts/bench-stream-cost.ts   (RUNTIME=node|bun KIND=sse|ws CLIENTS=200 POLLS=100 ROUNDS=2)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startAppUnderTest } from './fanout/app-under-test.js';
import { startFloorProcess } from './fanout/floor-control.js';
import { mainThreadMs, procCpuMs } from './fanout/proc-stats.js';
import { clientRpc, type Command, type ConnectReply } from './fanout/protocol.js';
import { buildApp, type Runtime } from './fanout/server-command.js';
import { startSimulatorProcess, type SimulatorProcess } from './fanout/sim-control.js';

const RUNTIME = (process.env['RUNTIME'] ?? 'bun') as Runtime;
const KIND = process.env['KIND'] ?? 'sse';
const CLIENTS = Number(process.env['CLIENTS'] ?? 200);
const POLLS = Number(process.env['POLLS'] ?? 100);
const ROUNDS = Number(process.env['ROUNDS'] ?? 2);
const REGISTERS = 20;
if (RUNTIME !== 'node' && RUNTIME !== 'bun') throw new Error(`RUNTIME must be node or bun, not ${String(RUNTIME)}`);
if (KIND !== 'sse' && KIND !== 'ws') throw new Error(`KIND must be sse or ws, not ${KIND}`);

const REPO = fileURLToPath(new URL('..', import.meta.url));
if (RUNTIME === 'node') buildApp(REPO);

const clients = fork(fileURLToPath(new URL('./fanout-clients.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], cwd: REPO });
const request = clientRpc<Command>(clients);
const [appSim, floorSim] = await Promise.all([startSimulatorProcess(), startSimulatorProcess()]);
const app = await startAppUnderTest({ repo: REPO, runtime: RUNTIME, nodeFlags: undefined, sim: appSim, registers: REGISTERS, pollMs: 100 });
const floor = await startFloorProcess({ repo: REPO, runtime: RUNTIME, nodeFlags: [], sim: floorSim, registers: REGISTERS, pollMs: 100 });

interface Server {
  name: 'app' | 'floor';
  pid: number;
  sim: SimulatorProcess;
  connect(count: number): Command;
}
const servers: Server[] = [
  {
    name: 'floor',
    pid: floor.pid,
    sim: floorSim,
    connect: (count) =>
      KIND === 'sse'
        ? { cmd: 'connect-sse', group: 'floor', url: floor.sseUrl, count, token: 'unused', concurrency: 50 }
        : { cmd: 'connect-ws', group: 'floor', url: floor.wsUrl, count, concurrency: 100 },
  },
  {
    name: 'app',
    pid: app.pid,
    sim: appSim,
    connect: (count) =>
      KIND === 'sse'
        ? { cmd: 'connect-sse', group: 'app', url: `${app.url}/sse?topics=alarms`, count, token: app.token, concurrency: 50 }
        : {
            cmd: 'connect-ws',
            group: 'app',
            url: `${app.url.replace(/^http/, 'ws')}/ws?topics=alarms`,
            count,
            token: app.token,
            concurrency: 100,
          },
  },
];

/** CPU ms per poll (all threads, main thread) over POLLS polls, each with every register flipped. */
async function perPoll(s: Server): Promise<{ all: number; main: number }> {
  await s.sim.toggle(REGISTERS); // the rules' states settle into the same rhythm first
  const all = procCpuMs(s.pid);
  const main = mainThreadMs(s.pid);
  for (let i = 0; i < POLLS; i++) await s.sim.toggle(REGISTERS);
  return { all: (procCpuMs(s.pid) - all) / POLLS, main: (mainThreadMs(s.pid) - main) / POLLS };
}

async function connect(s: Server, count: number): Promise<void> {
  const reply = await request<ConnectReply>(s.connect(count));
  if (reply.failed > 0) throw new Error(`${s.name}: ${reply.failed} of ${count} ${KIND} clients failed: ${JSON.stringify(reply.errors)}`);
}

console.log(
  `stream cost (RUNTIME=${RUNTIME}, ${KIND}): CPU per poll of ${REGISTERS} events with 0, ${CLIENTS} and ${2 * CLIENTS} clients, ${POLLS} polls a step, app and floor in turn`,
);
const slopes: Record<Server['name'], { all: number[]; main: number[] }> = { app: { all: [], main: [] }, floor: { all: [], main: [] } };
const messages = CLIENTS * REGISTERS; // per poll, added by a step
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const steps: Record<string, { all: number; main: number }[]> = { app: [], floor: [] };
    for (const count of [0, CLIENTS, CLIENTS]) {
      for (const s of servers) {
        if (count > 0) await connect(s, count);
        steps[s.name]!.push(await perPoll(s));
      }
    }
    for (const s of servers) {
      const [none, one, two] = steps[s.name]!;
      const slope = (k: 'all' | 'main') => ((two![k] - one![k]) * 1000) / messages;
      slopes[s.name].all.push(slope('all'));
      slopes[s.name].main.push(slope('main'));
      const fmt = (x: { all: number; main: number }) => `${x.all.toFixed(2)} (main ${x.main.toFixed(2)})`;
      console.log(
        `  round ${round} ${s.name.padEnd(5)} ms/poll: 0 clients ${fmt(none!)}, ${CLIENTS} ${fmt(one!)}, ${2 * CLIENTS} ${fmt(two!)}; ` +
          `a stream costs ${slope('all').toFixed(3)} µs per message (main thread ${slope('main').toFixed(3)})`,
      );
    }
    await request({ cmd: 'close-all', timeoutMs: 10_000 });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const k of ['all', 'main'] as const) {
    const a = mean(slopes.app[k]);
    const f = mean(slopes.floor[k]);
    console.log(
      `${k === 'all' ? 'all threads' : 'main thread'}: µs per message a stream costs, app ${a.toFixed(3)} | floor ${f.toFixed(3)}: ` +
        `messages per CPU second app / floor ${(f / a).toFixed(2)}`,
    );
  }
} finally {
  clients.kill();
  await Promise.all([app.stop(), floor.stop()]);
  appSim.close();
  floorSim.close();
}
