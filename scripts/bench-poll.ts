/**
 * Poller figures against the simulator on loopback: requests per cycle, throughput against
 * the round trip, worker CPU per reply, worker -> main latency. Prints figures, asserts nothing.
 * The simulator runs in a child process (this file again, BENCH_ROLE=sim) so that this
 * process's CPU time is the poller's alone.
 */
import { fork } from 'node:child_process';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import modbusSerial from 'modbus-serial';
import * as v from 'valibot';
import { createChangeTracker } from '../src/modbus/change-tracker.js';
import { encodeFrame, splitFrames } from '../src/modbus/mbap.js';
import { applyReply, compilePlan } from '../src/modbus/poll-plan.js';
import {
  workerToMainSchema,
  type MainToWorker,
  type PollerPlc,
  type PollerPoint,
  type PongMessage,
  type ValuesMessage,
} from '../src/modbus/protocol.js';
import { planReads } from '../src/modbus/read-planner.js';
import { createRegisterBank } from '../src/modbus/register-bank.js';
import { samplesFromMessage } from '../src/modbus/samples.js';
import { servePdu } from '../src/modbus/serve-pdu.js';
import { createSimulator } from '../src/modbus/simulator.js';
import { spawnPollerWorker } from '../src/modbus/worker-spawn.js';

type SimReply = { port?: number; requests?: number };
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;

let nextId = 1;

if (process.env.BENCH_ROLE === 'sim') await simChild();
else await bench();

async function simChild(): Promise<void> {
  const sim = await createSimulator();
  let bump = 0;
  process.on('message', (m: string) => {
    if (m === 'bump') for (let a = 0, b = ++bump; a < 1000; a++) sim.setHolding(a, (a + b) & 0xffff);
    process.send?.({ requests: sim.stats().requests } satisfies SimReply);
  });
  process.on('disconnect', () => void sim.close());
  process.send?.({ port: sim.port } satisfies SimReply);
}

async function bench(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, [], { env: { ...process.env, BENCH_ROLE: 'sim' } });
  const waiting: ((m: SimReply) => void)[] = [];
  child.on('message', (m: SimReply) => waiting.shift()?.(m));
  const fromSim = (): Promise<SimReply> => new Promise((resolve) => waiting.push(resolve));
  const simPort = (await fromSim()).port ?? 0;
  const simRequests = async (m = 'stats'): Promise<number> => {
    const reply = fromSim();
    child.send(m);
    return (await reply).requests ?? 0;
  };

  const worker = spawnPollerWorker();
  const pongs = new Map<number, (m: PongMessage) => void>();
  let onValues: (m: ValuesMessage, receivedAt: number) => void = () => undefined;
  worker.on('message', (raw: unknown) => {
    const receivedAt = performance.timeOrigin + performance.now();
    const m = v.parse(workerToMainSchema, raw);
    if (m.type === 'pong') pongs.get(m.id)?.(m);
    else if (m.type === 'values') onValues(m, receivedAt);
  });
  const send = (m: MainToWorker): void => worker.postMessage(m);
  let pingId = 0;
  const stats = (): Promise<PongMessage['stats']> =>
    new Promise((resolve) => {
      const id = ++pingId;
      pongs.set(id, (m) => resolve(m.stats));
      send({ type: 'ping', id });
    });
  const plc = (id: number, poll_interval_ms: number): PollerPlc => ({
    id,
    host: '127.0.0.1',
    port: simPort,
    unit_id: 1,
    poll_interval_ms,
    timeout_ms: 1000,
    max_in_flight: 1,
    enabled: true,
  });
  const configure = (plcs: PollerPlc[], pts: PollerPoint[]): void => send({ type: 'configure', plcs, points: pts });

  console.log('requests per cycle (measured at the simulator vs planned)');
  const layouts: [string, PollerPoint[]][] = [
    ['1000 uint16, contiguous', points(1, 1000, (i) => ({ address: i }))],
    ['400 float32, 1-register gaps', points(1, 400, (i) => ({ address: i * 3, type: 'float32' }))],
    [
      '2000 coils + 100 int16 every 20',
      [
        ...points(1, 2000, (i) => ({ area: 'coil', address: i, type: 'bool' })),
        ...points(1, 100, (i) => ({ area: 'input', address: i * 20, type: 'int16' })),
      ],
    ],
  ];
  for (const [name, pts] of layouts) {
    configure([plc(1, 5)], pts);
    await sleep(300);
    const [s1, r1] = [await stats(), await simRequests()];
    await sleep(700);
    const [s2, r2] = [await stats(), await simRequests()];
    const cycles = (s2.plcs[0]?.cycles ?? 0) - (s1.plcs[0]?.cycles ?? 0);
    const planned = planReads(pts).requests.length;
    console.log(`  ${name.padEnd(34)} planned ${planned}, measured ${fmt((r2 - r1) / cycles)} over ${cycles} cycles`);
  }

  console.log('throughput, 10000 registers (80 requests) polled back to back on one connection, depth = max_in_flight');
  let rtt1 = NaN;
  const replyCpu: Record<number, number> = {};
  for (const depth of [1, 4, 8]) {
    const target = { ...plc(10 + depth, 1), max_in_flight: depth };
    configure(
      [target],
      points(target.id, 10_000, (i) => ({ address: i })),
    );
    await sleep(500);
    const [s1, r1, t1, c1] = [await stats(), await simRequests(), performance.now(), process.cpuUsage()];
    await sleep(3000);
    const [s2, r2, t2, c2] = [await stats(), await simRequests(), performance.now(), process.cpuUsage(c1)];
    const regsPerS = ((r2 - r1) * 125) / ((t2 - t1) / 1000);
    const [p1, p2] = [s1.plcs[0], s2.plcs[0]];
    const reads = (p2?.reads ?? 0) - (p1?.reads ?? 0);
    const latency = ((p2?.avg_latency_ms ?? 0) * (p2?.reads ?? 0) - (p1?.avg_latency_ms ?? 0) * (p1?.reads ?? 0)) / reads;
    if (depth === 1) rtt1 = latency;
    // Against the round trip each read saw in this run (does the poller keep `depth` requests
    // out all the time?), and against the unloaded round trip (does the device keep up?).
    const ideal = (125 * depth) / (latency / 1000);
    const unloaded = (125 * depth) / (rtt1 / 1000);
    const count = s2.worker.replies - s1.worker.replies;
    replyCpu[depth] = (c2.user + c2.system) / count;
    console.log(
      `  depth ${depth}: ${fmt(regsPerS / 1e6, 3)} M regs/s; each read's round trip ${fmt(latency * 1000, 0)} µs -> 125 x ${depth} / RTT = ` +
        `${fmt(ideal / 1e6, 3)} M regs/s: ${fmt((100 * regsPerS) / ideal)} %` +
        (depth > 1 ? `; vs the depth-1 round trip (${fmt(rtt1 * 1000, 0)} µs): ${fmt((100 * regsPerS) / unloaded)} %` : ''),
    );
    console.log(
      `           per reply: process CPU ${fmt(replyCpu[depth]!)} µs (user ${fmt(c2.user / count)}), ` +
        `worker event loop busy ${fmt(((s2.worker.active_ms - s1.worker.active_ms) * 1000) / count)} µs`,
    );
  }
  configure([], []);
  console.log('  I/O floor: a bare socket in a worker doing the same reads, depth requests per write, CPU per reply:');
  for (const depth of [1, 4, 8]) {
    const floor = await bareRoundTrip(simPort, depth);
    console.log(`    depth ${depth}: ${fmt(floor)} µs; the poller's CPU beyond it: ${fmt(replyCpu[depth]! - floor)} µs per reply`);
  }
  const [lib, ours] = [await modbusSerialWithoutIo(), decodeWithoutIo()];
  console.log(
    `  JS per 125-register reply without I/O: modbus-serial ${fmt(lib)} µs + decode and diff ${fmt(ours)} µs = ${fmt(lib + ours)} µs`,
  );

  configure(
    [plc(20, 20)],
    points(20, 1000, (i) => ({ address: i })),
  );
  const hop: number[] = [];
  const withSamples: number[] = [];
  await new Promise<void>((resolve) => {
    onValues = (m, receivedAt) => {
      if (m.ids.length === 1000) {
        hop.push(receivedAt - m.sent_at);
        samplesFromMessage(m);
        withSamples.push(performance.timeOrigin + performance.now() - m.sent_at);
      }
      void simRequests('bump'); // every register changes before the next cycle
      if (hop.length >= 300) resolve();
    };
  });
  console.log(
    `worker -> main, 1000 changed points (${hop.length} messages): p50 ${fmt(pct(hop, 0.5), 3)} ms, ` +
      `p99 ${fmt(pct(hop, 0.99), 3)} ms; including validation and ValueSample[]: p50 ${fmt(pct(withSamples, 0.5), 3)} ms`,
  );

  send({ type: 'stop' });
  await new Promise((resolve) => worker.once('exit', resolve));
  child.disconnect();
}

function points(plc_id: number, n: number, at: (i: number) => Partial<PollerPoint>): PollerPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    id: nextId++,
    plc_id,
    area: 'holding',
    address: i,
    type: 'uint16',
    word_order: 'big',
    scale: 1,
    offset: 0,
    ...at(i),
  }));
}

/**
 * CPU per reply of a plain socket in a worker sending the same FC03 requests, `depth` of them
 * per write, and waiting for all their replies: the I/O floor at that depth.
 */
async function bareRoundTrip(port: number, depth: number): Promise<number> {
  const code = `
    const net = require('node:net');
    const { parentPort, workerData } = require('node:worker_threads');
    const { port, depth } = workerData;
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, async () => {
      const one = [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 125];
      const req = Buffer.from(Array.from({ length: depth }, () => one).flat());
      const replyBytes = 9 + 250;
      const burst = () => new Promise((resolve) => {
        let got = 0;
        const onData = (chunk) => {
          got += chunk.length;
          if (got >= depth * replyBytes) { s.off('data', onData); resolve(); }
        };
        s.on('data', onData);
        s.write(req);
      });
      const n = Math.ceil(10000 / depth);
      for (let i = 0; i < n / 5; i++) await burst();
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await burst();
      const c = process.cpuUsage(c0);
      parentPort.postMessage((c.user + c.system) / (n * depth));
      s.destroy();
    });`;
  const w = new Worker(code, { eval: true, workerData: { port, depth } });
  return new Promise((resolve) => w.once('message', resolve));
}

/**
 * modbus-serial's own work per 125-register read, on a socket stand-in that answers from memory;
 * the stand-in's cost (framing and serving the request) is measured alone and subtracted.
 */
async function modbusSerialWithoutIo(): Promise<number> {
  const bank = createRegisterBank();
  const answer = (request: Buffer): Buffer | null => {
    const [frame] = splitFrames(request).frames;
    return frame ? encodeFrame({ ...frame, pdu: servePdu(bank, frame.pdu) }) : null;
  };
  const socket = new Socket();
  // modbus-serial only accepts an "open" net.Socket; this one never touches the network.
  Object.defineProperty(socket, 'readyState', { value: 'open' });
  socket.write = ((request: Buffer) => {
    const reply = answer(request);
    if (reply) queueMicrotask(() => socket.emit('data', reply));
    return true;
  }) as typeof socket.write;
  const client = new modbusSerial.default();
  await client.linkTCP(socket, { port: 502 });
  client.setTimeout(1000);
  const n = 20_000;
  for (let i = 0; i < 5000; i++) await client.readHoldingRegisters(0, 125);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await client.readHoldingRegisters(0, 125);
  const withStandIn = ((performance.now() - t0) * 1000) / n;
  const request = encodeFrame({ transactionId: 1, unitId: 1, pdu: Buffer.from([3, 0, 0, 0, 125]) });
  t0 = performance.now();
  for (let i = 0; i < n; i++) await Promise.resolve(answer(request));
  return withStandIn - ((performance.now() - t0) * 1000) / n;
}

/** Our decode-and-diff per 125-register reply, with the flush per cycle shared out. */
function decodeWithoutIo(): number {
  const tracker = createChangeTracker();
  const plan = compilePlan(
    points(99, 10_000, (i) => ({ address: i })),
    tracker,
  );
  const data = new DataView(new ArrayBuffer(250));
  const run = (cycles: number): number => {
    const t0 = performance.now();
    for (let c = 0; c < cycles; c++) {
      for (const request of plan.requests) applyReply(plan, request, data, tracker);
      tracker.flush();
    }
    return ((performance.now() - t0) * 1000) / (cycles * plan.requests.length);
  };
  run(100);
  return run(300);
}
