/**
 * Stream fan-out: how fast the hub delivers journaled events to 1000 WebSocket + 200 SSE
 * clients compared with a bare `ws` broadcast of the same messages (the floor), the
 * publish -> last-client latency, and the server's memory per idle WebSocket connection.
 * Prints figures, asserts nothing.
 *
 * This process runs both servers; the clients run in a child process (scripts/fanout-clients.ts)
 * so that reading a million messages does not run on the server's event loop. The two processes
 * share the machine's cores, so client CPU weighs on every figure. Floor and app runs alternate
 * (floor, app, floor, app, ...) so that drift in the machine's state hits both alike.
 * Everything is on 127.0.0.1 and the run stops by itself (a watchdog ends it after 170 s).
 *
 * Run: npx tsx scripts/bench-fanout.ts
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { alarmEventJson, alarmPayload } from './fanout/alarm-event.js';
import { startAppUnderTest, type AppUnderTest } from './fanout/app-under-test.js';
import { startFloorServer } from './fanout/floor-server.js';
import { bareCommitTimes } from './fanout/disk-commits.js';
import { findGc, settledMemory } from './fanout/gc.js';
import { clientRpc, type CloseReply, type Command, type ConnectReply, type InfoReply } from './fanout/protocol.js';
import { publishRun, summarize, usPerMessage, type RunResult, type Summary } from './fanout/publish-run.js';
import { int, ms, p50p99, percentile, plusMs } from './fanout/stats.js';

const WS_CLIENTS = 1000;
const SSE_CLIENTS = 200;
const IDLE_CLIENTS = 10_000;
const BATCHES = 50;
const PER_BATCH = 20;
const RUNS = 5; // measured runs per server, after one unreported warm-up run each
const PACED_ROUNDS = 4; // latency: floor and app take turns, this many rounds each
const PACED_EVENTS = 30; // per round, one event at a time, far apart
const PACED_GAP_MS = 110;
const DEADLINE_MS = 170_000;
const CORES = availableParallelism();

type Request = <T>(command: Command) => Promise<T>;
type Publish = (batch: number, sentAt: number) => unknown;

const unhandled: string[] = [];
process.on('unhandledRejection', (err) => unhandled.push(String(err)));

const child = fork(fileURLToPath(new URL('./fanout-clients.ts', import.meta.url)), [], {
  execPath: process.execPath,
  execArgv: ['--import', 'tsx'],
  cwd: fileURLToPath(new URL('..', import.meta.url)), // where `tsx` resolves
});
const request: Request = clientRpc(child);
setTimeout(() => {
  console.log(`\nbench-fanout: still running after ${DEADLINE_MS / 1000} s, giving up`);
  child.kill();
  process.exit(1);
}, DEADLINE_MS).unref();

const started = performance.now();
const gc = findGc();
const info = await request<InfoReply>({ cmd: 'info' });
printHeader();

const sut = await startAppUnderTest();
// Alarms only: the `values` topic would add a throttled message per register change.
const wsUrl = `${sut.app.url.replace(/^http/, 'ws')}/ws?topics=alarms`;

const { floor, ours, hub, paced, closing } = await fanOut(sut);
printFloor(floor);
printOurs(sut, ours, floor, hub);
printPaced(paced);
console.log(`  ${closing}\n`);
// Idle connections last: in trials that ran them first, the process sometimes stayed about twice
// as slow per message sent for the rest of its life (the floor's sends too), skewing the rest.
await idleConnections(sut);

await sut.stop();
const problems = sut.log.lines.filter((l) => !l.startsWith('info:'));
console.log(`\nserver log: ${sut.log.lines.length} lines, ${problems.length} warnings/errors${problems.length ? `: ${problems.slice(0, 5).join(' | ')}` : ''}`);
console.log(`unhandled rejections in the server process: ${unhandled.length}${unhandled.length ? `: ${unhandled.slice(0, 3).join(' | ')}` : ''}`);
console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
child.disconnect();
process.exit(0);

function printHeader(): void {
  const sample = alarmEventJson(123_456, alarmPayload(0, 1, 1, Date.now()));
  console.log('stream fan-out benchmark (prints figures, asserts nothing)');
  console.log(
    `server: this process (pid ${process.pid}); clients: a child process (pid ${info.pid}); both on 127.0.0.1, ` +
      `sharing this machine's ${CORES} CPU cores, so the clients' CPU competes with the server's`,
  );
  console.log(`client process open-files limit (ulimit -n): ${info.openFilesLimit}; gc before memory readings: ${gc.how}`);
  console.log(
    `message: alarm_state event, ${Buffer.byteLength(sample)} bytes of JSON; a run = ${BATCHES} batches x ${PER_BATCH} events, ` +
      'one batch per setImmediate tick, i.e. as fast as the server takes them, so latencies include queueing',
  );
  console.log(`order: ${RUNS} runs each of floor and app, alternating, after one warm-up run each; then the paced latency runs; then the idle connections\n`);
}

/** 3. Idle connections: server RSS growth per authenticated WebSocket that got its snapshot. */
async function idleConnections({ app, token }: AppUnderTest): Promise<void> {
  console.log(`== 4. idle connections: ${int(IDLE_CLIENTS)} authenticated WebSockets to the app (welcome + snapshot each)`);
  const before = await settledMemory(gc.gc);
  printConnect('WS', await request<ConnectReply>({ cmd: 'connect-ws', group: 'idle', url: wsUrl, count: IDLE_CLIENTS, token, concurrency: 200 }));
  const connected = app.hub.connections().size;
  const after = await settledMemory(gc.gc);
  const perConnection = (bytes: number) => `${(bytes / Math.max(connected, 1) / 1024).toFixed(1)} KB`;
  console.log(`  server sees ${int(connected)} connections; server RSS ${mb(before.rss)} -> ${mb(after.rss)}`);
  console.log(
    `  per connection: RSS +${perConnection(after.rss - before.rss)} (V8 heap used +${perConnection(after.heapUsed - before.heapUsed)}, ` +
      `external +${perConnection(after.external - before.external)}); gc before each reading: ${gc.gc ? 'yes' : 'no'}`,
  );
  console.log('  (RSS can understate: pages freed after the traffic runs are reused; kernel socket buffers are in neither figure)');
  const closed = await request<CloseReply>({ cmd: 'close-all', timeoutMs: 20_000 });
  const drained = await waitUntil(() => app.hub.connections().size === 0, 10_000);
  const afterClose = await settledMemory(gc.gc);
  console.log(
    `  closed ${int(closed.closed)} in ${ms(closed.ms, 0)} (${closed.leftOver} left open); ` +
      `server connections after: ${app.hub.connections().size}${drained ? '' : ' (did not drain within 10 s)'}; ` +
      `then RSS ${mb(afterClose.rss)}, V8 heap used ${mb(afterClose.heapUsed)} (before opening: ${mb(before.heapUsed)})`,
  );
}

type HubCounts = { published: number; delivered: number; dropped: number; slow: number };

/** 1 and 2: connects both client sets, then alternates floor and app runs. */
async function fanOut({ app, token }: AppUnderTest) {
  const server = await startFloorServer();
  console.log(`connecting: ${WS_CLIENTS} WS + ${SSE_CLIENTS} SSE clients to the floor, the same to the app`);
  const floorOpened = await request<ConnectReply>({ cmd: 'connect-ws', group: 'floor', url: server.wsUrl, count: WS_CLIENTS, concurrency: 100 });
  printConnect('floor WS', floorOpened);
  const floorSse = await request<ConnectReply>({ cmd: 'connect-sse', group: 'floor', url: server.sseUrl, count: SSE_CLIENTS, token: 'unused', concurrency: 50 });
  printConnect('floor SSE', floorSse);
  await waitUntil(() => server.clients() >= floorOpened.opened + floorSse.opened, 5_000);
  printConnect('app WS', await request<ConnectReply>({ cmd: 'connect-ws', group: 'app', url: wsUrl, count: WS_CLIENTS, token, concurrency: 100 }));
  printConnect('app SSE', await request<ConnectReply>({ cmd: 'connect-sse', group: 'app', url: `${app.url}/sse?topics=alarms`, count: SSE_CLIENTS, token, concurrency: 50 }));
  console.log(`  the app sees ${JSON.stringify(app.hub.stats.connectionsByTransport())} connections, each past its snapshot\n`);

  let nextId = 1;
  const broadcast = (run: number, perBatch = PER_BATCH): Publish => (batch, sentAt) => {
    // Serialized and encoded once per message and transport, with its send time, then shared by every client.
    const events = Array.from({ length: perBatch }, (_, i) => {
      const id = nextId++;
      return { id, json: alarmEventJson(id, alarmPayload(batch * perBatch + i, run, batch, sentAt)) };
    });
    server.broadcast(
      events.map((e) => Buffer.from(e.json)),
      events.map((e) => Buffer.from(`id: ${e.id}\nevent: alarm_state\ndata: ${e.json}\n\n`)),
    );
  };
  const append = (run: number): Publish => (batch, sentAt) =>
    app.journal.append(
      Array.from({ length: PER_BATCH }, (_, i) => {
        const payload = alarmPayload(batch * PER_BATCH + i, run, batch, sentAt);
        return { topic: 'alarms' as const, type: 'alarm_state', rule_id: payload['rule_id'] as number, payload };
      }),
    );
  const run = (group: string, n: number, publish: (run: number) => Publish) =>
    publishRun(request, { group, run: n, batches: BATCHES, perBatch: PER_BATCH }, publish(n));

  const stats = app.hub.stats;
  const hubCounts = (): HubCounts => ({ published: stats.published, delivered: stats.delivered, dropped: stats.dropped, slow: stats.slowConsumerCloses });
  const hubBefore = hubCounts();
  await run('floor', 100, broadcast); // warm-ups
  await run('app', 200, append);
  const floorRuns: RunResult[] = [];
  const ourRuns: RunResult[] = [];
  for (let n = 1; n <= RUNS; n++) {
    floorRuns.push(await run('floor', 100 + n, broadcast));
    ourRuns.push(await run('app', 200 + n, append));
  }

  const hubAfter = hubCounts();

  // Latency: one event at a time, far apart, so that nothing queues. The floor broadcasts one
  // message; the app gets a register change that the poller reads and the engine turns into
  // an alarm_state event, journaled and fanned out.
  const paced: Paced = { floor: [], ours: [], pollWait: [], afterPoll: [], toCommit: [], fromCommit: [], roundTripMs: NaN, diskCommits: [], problems: [] };
  const pacedPlan = { batches: PACED_EVENTS, perBatch: 1, gapMs: PACED_GAP_MS };
  const readsBefore = await pollReads(app.url, token);
  for (let round = 0; round < PACED_ROUNDS; round++) {
    const floorRun = await publishRun(request, { group: 'floor', run: 300 + round, ...pacedPlan }, broadcast(300 + round, 1));
    const polledAt: number[] = [];
    const commitsBefore = sut.timing.engineCommits.length;
    const ourRun = await publishRun(request, { group: 'app', run: 400 + round, ...pacedPlan }, async (batch) => {
      polledAt[batch] = await sut.plant.toggle();
    });
    const committedAt = sut.timing.engineCommits.slice(commitsBefore);
    for (const [name, r] of [['floor', floorRun], ['app', ourRun]] as const) {
      if (!r.reply.complete || r.reply.extraMessages) {
        paced.problems.push(`${name} round ${round}: ${JSON.stringify(r.reply.received)} of ${JSON.stringify(r.reply.expected)}, ${r.reply.extraMessages} extra`);
      }
    }
    if (committedAt.length !== polledAt.length) paced.problems.push(`round ${round}: ${committedAt.length} engine commits for ${polledAt.length} register changes`);
    paced.floor.push(...floorRun.latencies);
    paced.ours.push(...ourRun.latencies);
    ourRun.reply.batches.forEach((b, i) => {
      paced.pollWait.push(polledAt[i]! - ourRun.sentAt[i]!);
      paced.afterPoll.push(b.lastRecv - polledAt[i]!);
      paced.toCommit.push(committedAt[i]! - polledAt[i]!);
      paced.fromCommit.push(b.lastRecv - committedAt[i]!);
    });
  }

  // The device round trip as the poller measured it, averaged over the paced rounds' reads.
  const readsAfter = await pollReads(app.url, token);
  paced.roundTripMs = (readsAfter.latencySum - readsBefore.latencySum) / (readsAfter.reads - readsBefore.reads);
  paced.diskCommits = await bareCommitTimes(sut.dir, 200, 10);

  const closed = await request<CloseReply>({ cmd: 'close-all', timeoutMs: 10_000 });
  const drained = await waitUntil(() => app.hub.connections().size === 0, 10_000);
  const closing = `closed ${int(closed.closed)} clients in ${ms(closed.ms, 0)}; the app's connections after: ${app.hub.connections().size}${drained ? '' : ' (did not drain)'}`;
  await server.close();
  return { floor: summarize(floorRuns), ours: summarize(ourRuns), hub: { before: hubBefore, after: hubAfter }, paced, closing };
}

function printFloor(floor: Summary): void {
  console.log(
    `== 1. floor: plain ws WebSocketServer (perMessageDeflate off) and a bare node:http SSE endpoint, ${WS_CLIENTS} WS + ${SSE_CLIENTS} SSE clients, ` +
      'pre-serialized Buffers, socket corked per client per batch',
  );
  printSummary(floor);
  console.log('');
}

function printOurs({ timing }: AppUnderTest, ours: Summary, floor: Summary, hub: { before: HubCounts; after: HubCounts }): void {
  console.log(`== 2. ours: createApp (SQLite file, synchronous=FULL), ${WS_CLIENTS} WS + ${SSE_CLIENTS} SSE clients, events via app.journal.append(batch)`);
  printSummary(ours);

  // Per batch, split at the commit: call -> commit -> hub.publish returned -> last client.
  const split = ours.runs.flatMap((r, n) =>
    r.sentAt.map((sentAt, b) => {
      const t = timing.of(201 + n, b);
      return { commit: t.committedAt - sentAt, fanOut: t.fannedOutAt - t.committedAt, fromCommit: r.reply.batches[b]!.lastRecv - t.committedAt };
    }),
  );
  const fromCommit = split.map((x) => x.fromCommit);
  console.log(`  append call -> commit (journal listeners called): ${p50p99(split.map((x) => x.commit))}`);
  console.log(`  hub.publish, the synchronous fan-out into ${WS_CLIENTS + SSE_CLIENTS} clients' buffers, per batch: ${p50p99(split.map((x) => x.fanOut))}`);
  console.log(`  commit -> last client: ${p50p99(fromCommit)}`);

  const q = percentile;
  const pairRatios = ours.runs.map((r, i) => (r.rate / floor.runs[i]!.rate).toFixed(2)).join(', ');
  console.log('  vs floor:');
  console.log(
    `    delivery rate ${int(ours.rate)} vs ${int(floor.rate)} msg/s (medians): ratio ${(ours.rate / floor.rate).toFixed(2)}; ` +
      `run by run: ${pairRatios}`,
  );
  console.log(`    WS clients only: ${int(ours.wsRate)} vs ${int(floor.wsRate)} msg/s: ratio ${(ours.wsRate / floor.wsRate).toFixed(2)}`);
  console.log(
    `    server CPU per delivered message: ${ours.serverUsPerMessage.toFixed(2)} vs ${floor.serverUsPerMessage.toFixed(2)} µs: ` +
      `ratio ${(ours.serverUsPerMessage / floor.serverUsPerMessage).toFixed(2)} (includes journaling; SSE and WS messages alike)`,
  );
  console.log(
    `    publish -> last client, overhead beyond the floor: p50 ${plusMs(q(ours.latencies, 0.5) - q(floor.latencies, 0.5))}, ` +
      `p99 ${plusMs(q(ours.latencies, 0.99) - q(floor.latencies, 0.99))}`,
  );
  console.log(
    `    excluding the commit (commit -> last client vs floor): p50 ${plusMs(q(fromCommit, 0.5) - q(floor.latencies, 0.5))}, ` +
      `p99 ${plusMs(q(fromCommit, 0.99) - q(floor.latencies, 0.99))}`,
  );
  const { before, after } = hub;
  const published = after.published - before.published;
  console.log(
    `  hub over warm-up + runs: published ${int(published)} events, delivered ${int(after.delivered - before.delivered)} frames, ` +
      `dropped ${after.dropped - before.dropped}, slow-consumer closes ${after.slow - before.slow}`,
  );
  const appended = (1 + RUNS) * BATCHES * PER_BATCH;
  if (published !== appended) console.log(`  NOTE: ${int(appended)} events were appended, so the commit timing above is off`);
}

/** Paced runs, per event: floor and app latencies, and the app's split around the poll and the commit. */
interface Paced {
  floor: number[];
  ours: number[];
  pollWait: number[];
  afterPoll: number[];
  toCommit: number[];
  fromCommit: number[];
  /** The poller's average round trip to the simulator. */
  roundTripMs: number;
  /** Bare one-row commits on the same disk, for scale. */
  diskCommits: number[];
  problems: string[];
}

/** What a register change costs on its way to the last client, beyond the floor. */
function printPaced(p: Paced): void {
  console.log(
    `== 3. latency, one event every ${PACED_GAP_MS} ms (nothing queues), ${PACED_ROUNDS} rounds of ${PACED_EVENTS} events each ` +
      `for floor and app in turn, to all ${WS_CLIENTS} WS + ${SSE_CLIENTS} SSE clients`,
  );
  for (const problem of p.problems) console.log(`  PROBLEM: ${problem}`);
  const q = percentile;
  console.log(`  floor, broadcast -> last client: ${p50p99(p.floor)}`);
  console.log(`  ours, register change -> last client: ${p50p99(p.ours)}`);
  console.log(`    of which the poll wait (change -> the simulator gets the next read, 50 ms interval): ${p50p99(p.pollWait)}`);
  console.log(`    then read received -> last client (reply, worker, engine, journal commit, hub, sockets): ${p50p99(p.afterPoll)}`);
  console.log(`      read received -> committed (reply, worker -> main, engine, journal): ${p50p99(p.toCommit)}`);
  console.log(`      committed -> last client (hub, sockets, the clients' reads): ${p50p99(p.fromCommit)}`);
  console.log(
    `    for scale, ${p.diskCommits.length} bare one-row commits at synchronous=FULL on the same disk: ${p50p99(p.diskCommits)}, ` +
      `max ${ms(Math.max(...p.diskCommits))} (every event waits for one: journal before broadcast)`,
  );
  // The read's way to the device ends where the poll wait does; its way back is the other half of the round trip.
  const back = p.roundTripMs / 2;
  console.log(`    device round trip (the poller's average read during these rounds): ${ms(p.roundTripMs, 2)}, so about ${ms(back, 2)} of the above is the reply's way back`);
  console.log(
    `  overhead beyond poll wait + device round trip + floor: p50 ${plusMs(q(p.afterPoll, 0.5) - back - q(p.floor, 0.5))}, ` +
      `p99 ${plusMs(q(p.afterPoll, 0.99) - back - q(p.floor, 0.99))}\n`,
  );
}

function printSummary(s: Summary): void {
  const sse = s.runs[0]!.reply.expected.sse > 0;
  console.log(
    `  delivery rate, median of ${RUNS} runs: ${int(s.rate)} msg/s${sse ? `; to the WS clients alone ${int(s.wsRate)} msg/s` : ''}; ` +
      `server CPU per delivered message: ${s.serverUsPerMessage.toFixed(2)} µs`,
  );
  for (const r of s.runs) {
    const { reply } = r;
    const got = reply.received.ws + reply.received.sse;
    const want = reply.expected.ws + reply.expected.sse;
    console.log(
      `    ${int(r.rate).padStart(7)} msg/s: ${int(got)}/${int(want)} in ${ms(r.wallMs, 0)}${reply.complete ? '' : ' INCOMPLETE after 30 s'}; ` +
        `CPU server ${ms(r.serverCpuMs, 0)} (${usPerMessage(r).toFixed(2)} µs/msg) + clients ${ms(reply.cpuMs, 0)} = ${((r.serverCpuMs + reply.cpuMs) / r.wallMs).toFixed(2)} of ${CORES} cores; ` +
        `event loop busy: server ${pct(r.serverBusy)}, clients ${pct(reply.eventLoopBusy)}; delayed ACKs ${int(r.delayedAcks)}`,
    );
    if (reply.markerMismatches || reply.extraMessages) {
      console.log(`    COUNTING OFF: ${reply.markerMismatches} sampled markers did not match their batch, ${reply.extraMessages} messages beyond the run`);
    }
    const closes = Object.entries(reply.unexpectedCloses);
    if (closes.length) console.log(`    UNEXPECTED closes seen by clients: ${closes.map(([why, n]) => `${n}x ${why}`).join(', ')}`);
  }
  console.log(`  publish -> last client, per batch (n=${s.latencies.length}): ${p50p99(s.latencies)}, max ${ms(Math.max(...s.latencies))}`);
}

function printConnect(what: string, r: ConnectReply): void {
  const errors = Object.entries(r.errors).map(([why, n]) => `${n}x ${why}`).join(', ');
  console.log(`  opened ${int(r.opened)} ${what} clients in ${ms(r.ms, 0)}${r.failed ? `; ${r.failed} FAILED: ${errors}` : ''}`);
  if (/EMFILE/.test(errors)) console.log(`  the client process hit EMFILE: its open-files limit is ${info.openFilesLimit}`);
}

/** The bench PLC's reads so far and their summed round trips, from `GET /api/stats`. */
async function pollReads(url: string, token: string): Promise<{ reads: number; latencySum: number }> {
  const res = await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${token}` } });
  const plc = ((await res.json()) as { plcs: { reads: number; avg_latency_ms: number | null }[] }).plcs[0];
  return { reads: plc?.reads ?? 0, latencySum: (plc?.avg_latency_ms ?? 0) * (plc?.reads ?? 0) };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > until) return false;
    await sleep(20);
  }
  return true;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}
