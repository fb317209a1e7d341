/**
 * Abuse: what a replay flood and a sign-in storm cost everyone else, each figure against a quiet
 * floor measured in the same run (the hardening issue's targets, SPEC 10). Prints figures and
 * marks each target met or MISSED; asserts nothing.
 *
 * This thread runs the server (createApp, a SQLite file in the temp folder, DEMO=0) and appends
 * 20 alarm transitions a second to its journal. Two worker threads hold the clients, so they do
 * not share the server's event loop: a probe (1 WS + 1 SSE client on the alarms topic, timing
 * each transition from append to receipt, and GET /healthz every 20 ms) and the load (the
 * replaying clients, the sign-in storm). A Modbus simulator in a child process feeds a PLC that
 * is watched for false UNKNOWNs. All threads and processes share the machine's cores.
 *
 * Phases: quiet (the floor, 10 s); replay (10 SSE + 10 WS clients resume from event 0 and read
 * 100k config events each); sign-in storm (300 wrong passwords from 15 addresses at once, and a
 * valid admin sign-in amid them); quiet again (to show drift). Loopback only; stops by itself
 * (a watchdog ends it after 5 minutes).
 *
 * Run: npx tsx scripts/bench-abuse.ts
 */
// First, as in src/main.ts. Under tsx it comes too late (tsx's loader has already started libuv's
// pool with 4 threads); `node dist/src/main.js` gets 6. Password checks take 2 of them either way.
import '../src/server/thread-pool.js';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './fanout/stats.js';
import { wallNow } from './fanout/wall-clock.js';
import { configRange, fillConfigEvents, startTransitions } from './abuse/journal-load.js';
import { phaseClock } from './abuse/phases.js';
import type { LoadCommand, ProbeCommand, ProbeSamples, ReplayReply, StormReply } from './abuse/protocol.js';
import {
  deliveryLatencies,
  figuresOf,
  printScheduleTable,
  printStalls,
  printTable,
  printTargets,
  spread,
  type Target,
} from './abuse/report.js';
import { bareCommitTimes } from './fanout/disk-commits.js';
import { ADMIN, startServer, type Server } from './abuse/server.js';
import { startWatchedPlc } from './abuse/watched-plc.js';
import { startWorker } from './abuse/worker-rpc.js';

const FILL_EVENTS = 100_000;
const FILL_BATCH = 1_000;
const TRANSITIONS_PER_S = 20;
const QUIET_MS = 10_000;
const REPLAY_CLIENTS = { ws: 10, sse: 10 };
const REPLAY_TIMEOUT_MS = 150_000;
const ATTACKERS = Array.from({ length: 15 }, (_, i) => `127.0.1.${i + 1}`);
const GUESSES_PER_ATTACKER = 20; // the per-address limit: each one passes it
const ADMIN_ADDRESS = '127.0.2.1';
const ADMIN_DELAY_MS = 250; // the admin signs in this long after the storm began
const STORM_MIN_MS = 5_000;
const AFTER_MS = 5_000;
const DEADLINE_MS = 300_000;

let server: Server | undefined;
setTimeout(() => {
  console.log(`\nbench-abuse: still running after ${DEADLINE_MS / 1000} s, giving up`);
  if (server) rmSync(server.dir, { recursive: true, force: true });
  process.exit(1);
}, DEADLINE_MS).unref();
const unhandled: string[] = [];
process.on('unhandledRejection', (err) => unhandled.push(String(err)));

const began = wallNow();
console.log('abuse benchmark: replay flood and sign-in storm vs a quiet floor (prints figures, asserts nothing)');
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at start (other work on the machine shows up in every phase, the floor too)`,
);

server = await startServer();
const { app, url } = server;
const plc = await startWatchedPlc(server);
const unknownAtStart = (await plc.transitions()).filter((e) => e.state === 'UNKNOWN').length;
console.log(`server: ${url}, this thread (pid ${process.pid}); watched PLC "localhost", polled every 200 ms, rule ${plc.ruleId} OK`);

// Every transition waits for one such commit (WAL, synchronous=FULL) on the server's thread: part of the floor.
const commits = await bareCommitTimes(server.dir, 100, 5);
console.log(
  `disk: a bare one-row SQLite commit beside the database takes p50 ${f(percentile(commits, 0.5), 2)} ms, p99 ${f(percentile(commits, 0.99), 2)} ms`,
);

const t = wallNow();
const eventBytes = await fillConfigEvents(app, FILL_EVENTS, FILL_BATCH);
const range = await configRange(app);
console.log(
  `journal: ${range.count.toLocaleString('en')} config events of ~${eventBytes} bytes (last id ${range.lastId}) written in ` +
    `${((wallNow() - t) / 1000).toFixed(1)} s, batches of ${FILL_BATCH}`,
);

const probe = startWorker<ProbeCommand>(new URL('./abuse/probe-worker.ts', import.meta.url));
const load = startWorker<LoadCommand>(new URL('./abuse/load-worker.ts', import.meta.url));
await probe.request({ cmd: 'start', url, token: server.token });
const transitions = startTransitions(app, TRANSITIONS_PER_S);
await sleep(1_000); // the first transitions warm the paths up; not measured
console.log(`probe: 1 WS + 1 SSE client (topics=alarms) live; ${TRANSITIONS_PER_S} transitions/s appended; /healthz every 20 ms\n`);

const clock = phaseClock();
await clock.run('quiet', QUIET_MS, async () => {});

const slowBefore = app.hub.stats.slowConsumerCloses;
const replay = await clock.run('replay', 0, () =>
  load.request<ReplayReply>({
    cmd: 'replay',
    url,
    wsToken: server!.readers.ws,
    sseToken: server!.readers.sse,
    clients: REPLAY_CLIENTS,
    expected: range.count,
    timeoutMs: REPLAY_TIMEOUT_MS,
  }),
);
const slowDuringReplay = app.hub.stats.slowConsumerCloses - slowBefore;
await load.request({ cmd: 'close-replays' });
await sleep(2_000); // let the closed replays' sockets go before the next phase

const storm = await clock.run('storm', STORM_MIN_MS, () =>
  load.request<StormReply>({
    cmd: 'storm',
    url,
    attackers: ATTACKERS,
    perAttacker: GUESSES_PER_ATTACKER,
    admin: { address: ADMIN_ADDRESS, ...ADMIN, delayMs: ADMIN_DELAY_MS },
  }),
);
await clock.run('quiet again', AFTER_MS, async () => {});

transitions.stop();
await sleep(1_000); // the last transitions reach the probe
const samples = await probe.request<ProbeSamples>({ cmd: 'samples' });
await probe.request({ cmd: 'stop' });
const watched = await plc.transitions();
const disconnects = await plc.disconnects();
const plcStatus = await plc.status();

// ---- figures
const rows = clock.phases.map((p) => figuresOf(p, samples.deliveries, samples.health, transitions.sent));
const [quiet, replayRow, stormRow] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];

console.log(`== replay: ${REPLAY_CLIENTS.sse} SSE + ${REPLAY_CLIENTS.ws} WS clients from last_event_id=0, topics=config`);
const completed = replay.clients.filter((c) => Number.isFinite(c.ms));
for (const transport of ['ws', 'sse'] as const) {
  const mine = replay.clients.filter((c) => c.transport === transport);
  const times = mine.filter((c) => Number.isFinite(c.ms)).map((c) => c.ms / 1000);
  console.log(
    `  ${transport.toUpperCase()}: ${times.length}/${mine.length} complete; time to the last event min/median/max ` +
      `${f(Math.min(...times))}/${f(percentile(times, 0.5))}/${f(Math.max(...times))} s; ` +
      `events each ${[...new Set(mine.map((c) => c.events))].join(', ')} (expected ${range.count}); ` +
      `last id seen ${[...new Set(mine.map((c) => c.lastIdSeen))].join(', ')} (expected ${range.lastId})`,
  );
}
const closedEarly = replay.clients.filter((c) => c.closedEarly !== null);
const replayedEvents = replay.clients.reduce((n, c) => n + c.events, 0);
console.log(
  `  ${replayedEvents.toLocaleString('en')} events in ${f((replayRow.phase.end - replayRow.phase.start) / 1000)} s ` +
    `(${Math.round(replayedEvents / ((replayRow.phase.end - replayRow.phase.start) / 1000)).toLocaleString('en')}/s); ` +
    `closed by the server: ${closedEarly.length}${closedEarly.length ? ` (${closedEarly.map((c) => `${c.transport}: ${c.closedEarly}`).join('; ')})` : ''}; ` +
    `slow-consumer closes: ${slowDuringReplay}; client worker loop busy ${(replay.clientLoopBusy * 100).toFixed(0)}%`,
);

console.log(
  `\n== sign-in storm: ${ATTACKERS.length * GUESSES_PER_ATTACKER} wrong passwords from ${ATTACKERS[0]}..${ATTACKERS.at(-1)} at once`,
);
console.log(
  `  answers: ${Object.entries(storm.statuses)
    .map(([s, n]) => `${n} x ${s}`)
    .join(', ')}; the last after ${f((storm.finished - storm.started) / 1000)} s`,
);
// The burst (300 requests accepted, parsed and counted at once) and the hashing after it load the server differently.
const burstEnd = stormRow.phase.start + 1_000;
const stormSplit = (from: number, to: number) =>
  (['ws', 'sse'] as const)
    .map((t) => {
      const s = spread(deliveryLatencies(samples.deliveries, t, from, to));
      return `${t.toUpperCase()} p99 ${f(s.p99)} ms (max ${f(s.max)}, n ${s.n})`;
    })
    .join(', ');
console.log(`  delivery of transitions appended in its first second: ${stormSplit(stormRow.phase.start, burstEnd)}`);
console.log(`  ... appended after it, while the queued guesses are hashed: ${stormSplit(burstEnd, stormRow.phase.end)}`);
console.log(
  `  valid admin sign-in from ${ADMIN_ADDRESS}, ${ADMIN_DELAY_MS} ms into the storm: ` +
    `${storm.admin.attempts.map((a) => `${a.status} in ${f(a.ms, 0)} ms`).join(', then ')}; signed in after ${f(storm.admin.msToSignedIn, 0)} ms`,
);

const unknownNow = watched.filter((e) => e.state === 'UNKNOWN');
console.log(`\n== watched PLC (host "localhost", rule ${plc.ruleId})`);
console.log(
  `  alarm_state events: ${watched.length} (${watched.map((e) => `${e.state}/${e.reason}`).join(', ') || 'none'}); ` +
    `UNKNOWN: ${unknownNow.length} (at the start of the phases: ${unknownAtStart})`,
);
console.log(
  `  disconnects journaled: ${disconnects.length}${disconnects.length ? ` (${disconnects.slice(0, 3).join('; ')})` : ''}; status now ${JSON.stringify(plcStatus)}`,
);

console.log('\n== per phase (delivery = journal.append call -> probe receipt; ratios vs the quiet floor)');
printTable(rows);
console.log(
  '\n  the same transitions timed from their place on the 50 ms schedule (due_at), which adds how late the server loop ran the append:',
);
printScheduleTable(rows);
console.log('');
printStalls(rows);
clock.stop();
const lostWs = transitions.sent.length - samples.deliveries.filter((d) => d.transport === 'ws').length;
const lostSse = transitions.sent.length - samples.deliveries.filter((d) => d.transport === 'sse').length;
console.log(
  `  transitions appended ${transitions.sent.length}; not received: WS ${lostWs}, SSE ${lostSse} (the first second's count too); ` +
    `probe closes: ${samples.unexpectedCloses.length ? samples.unexpectedCloses.join('; ') : 'none'}`,
);

console.log('\n== targets');
const within2x = (row: typeof quiet, transport: 'ws' | 'sse'): Target => ({
  what: `${row.phase.name}: ${transport.toUpperCase()} delivery p99 within 2x quiet`,
  value:
    `${f(row[transport].p99)} vs ${f(quiet[transport].p99)} ms = ${f(row[transport].p99 / quiet[transport].p99, 2)}x ` +
    `(from due_at: ${f(row[`${transport}Due`].p99)} vs ${f(quiet[`${transport}Due`].p99)} ms = ${f(row[`${transport}Due`].p99 / quiet[`${transport}Due`].p99, 2)}x)`,
  met: row[transport].p99 <= 2 * quiet[transport].p99,
});
const healthUnder = (row: typeof quiet): Target => ({
  what: `${row.phase.name}: /healthz p99 < 100 ms`,
  value: `${f(row.health.p99)} ms (max ${f(row.health.max)} ms, ${row.health.failed} failed)`,
  met: row.health.p99 < 100 && row.health.failed === 0,
});
printTargets([
  healthUnder(replayRow),
  within2x(replayRow, 'ws'),
  within2x(replayRow, 'sse'),
  {
    what: 'replay: every client complete, none closed',
    value: `${completed.length}/${replay.clients.length} complete, ${closedEarly.length} closed, ${slowDuringReplay} slow-consumer closes`,
    met: completed.length === replay.clients.length && closedEarly.length === 0,
  },
  { what: 'storm: valid admin sign-in < 2 s', value: `${f(storm.admin.msToSignedIn, 0)} ms`, met: storm.admin.msToSignedIn < 2_000 },
  within2x(stormRow, 'ws'),
  within2x(stormRow, 'sse'),
  healthUnder(stormRow),
  { what: 'no false UNKNOWN on the watched rule', value: `${unknownNow.length}`, met: unknownNow.length === 0 },
]);

const problems = server.log.lines.filter((l) => !l.startsWith('info:'));
console.log(
  `\nserver log: ${server.log.lines.length} lines, ${problems.length} warnings/errors${problems.length ? `: ${problems.slice(0, 5).join(' | ')}` : ''}`,
);
console.log(`unhandled rejections: ${unhandled.length}${unhandled.length ? `: ${unhandled.slice(0, 3).join(' | ')}` : ''}`);
console.log(
  `load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; total time ${f((wallNow() - began) / 1000)} s`,
);

await Promise.all([probe.stop(), load.stop()]);
await server.stop(); // before the simulator, so the poller sees no PLC go away
plc.close();
process.exit(0);

function f(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
