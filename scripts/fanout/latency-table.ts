import { delivered, type BatchTiming, type RunResult } from './poll-run.js';
import { percentile } from './stats.js';

/** The figures of one server over several runs, per batch, in ms. */
export interface Figures {
  runs: RunResult[];
}

type Pick = (b: BatchTiming) => number;
const rows: [string, Pick][] = [
  ['register change -> first client', (b) => b.firstRecv - b.changedAt],
  ['register change -> last client', (b) => b.lastRecv - b.changedAt],
  ['  of which the poll wait (change -> read)', (b) => b.readAt - b.changedAt],
  ['read -> first client', (b) => b.firstRecv - b.readAt],
  ['read -> last client', (b) => b.lastRecv - b.readAt],
  ['read -> last WS client', (b) => b.lastWs - b.readAt],
  ['read -> last SSE client', (b) => b.lastSse - b.readAt],
  ['first -> last client (the spread)', (b) => b.lastRecv - b.firstRecv],
];

const cell = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(6);
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}` : '-').padStart(6);

/** Floor and app side by side, p50 and p99 of each row, and the app's excess over the floor. */
export function printLatencyTable(floor: Figures, app: Figures): void {
  const all = (f: Figures) => f.runs.flatMap((r) => r.batches);
  const fb = all(floor);
  const ab = all(app);
  console.log(`  ${'ms, per batch'.padEnd(42)}  floor p50    p99 |  app p50    p99 | app-floor p50   p99`);
  for (const [name, pick] of rows) {
    const f = fb.map(pick).filter(Number.isFinite);
    const a = ab.map(pick).filter(Number.isFinite);
    const [f50, f99, a50, a99] = [percentile(f, 0.5), percentile(f, 0.99), percentile(a, 0.5), percentile(a, 0.99)];
    console.log(
      `  ${name.padEnd(42)} ${cell(f50)} ${cell(f99)} | ${cell(a50)} ${cell(a99)} |     ${signed(a50 - f50)} ${signed(a99 - f99)}`,
    );
  }
  console.log(`  (n = ${fb.length} floor / ${ab.length} app batches)`);
  const perRun = (f: Figures) =>
    f.runs
      .map((r) =>
        percentile(
          r.batches.map((b) => b.lastRecv - b.readAt),
          0.5,
        ).toFixed(1),
      )
      .join(', ');
  console.log(`  read -> last client p50 run by run: floor ${perRun(floor)}; app ${perRun(app)}`);
}

/** Server CPU per delivered message (µs), run by run, and the client process's share. */
export function printCpu(floor: Figures, app: Figures): void {
  const us = (r: RunResult) => (r.serverCpuMs * 1000) / Math.max(delivered(r), 1);
  const list = (f: Figures) => f.runs.map((r) => us(r).toFixed(2)).join(', ');
  const median = (f: Figures) => percentile(f.runs.map(us), 0.5);
  console.log(
    `  server CPU per delivered message (all threads, whole run incl. idle polling), µs: floor ${median(floor).toFixed(2)} (${list(floor)}); ` +
      `app ${median(app).toFixed(2)} (${list(app)}); ratio ${(median(app) / median(floor)).toFixed(2)}`,
  );
  const clientUs = (f: Figures) =>
    percentile(
      f.runs.map((r) => (r.reply.cpuMs * 1000) / Math.max(delivered(r), 1)),
      0.5,
    );
  const acks = (f: Figures) => f.runs.map((r) => r.delayedAcks).join(', ');
  console.log(
    `  client process CPU per message, µs: floor runs ${clientUs(floor).toFixed(2)}, app runs ${clientUs(app).toFixed(2)}; delayed ACKs per run: floor ${acks(floor)}; app ${acks(app)}`,
  );
}

/** Runs that did not deliver exactly what they should, as text. */
export function problems(name: string, f: Figures): string[] {
  return f.runs.flatMap((r, i) => {
    const { reply } = r;
    const out: string[] = [];
    if (!reply.complete) out.push(`${name} run ${i}: ${JSON.stringify(reply.received)} of ${JSON.stringify(reply.expected)} after 30 s`);
    if (reply.extraMessages) out.push(`${name} run ${i}: ${reply.extraMessages} messages beyond the run`);
    const closes = Object.entries(reply.unexpectedCloses);
    if (closes.length) out.push(`${name} run ${i}: unexpected closes ${closes.map(([why, n]) => `${n}x ${why}`).join(', ')}`);
    return out;
  });
}

/** Wall time of a run, ms: from its first register change to the last message at the last client. */
const wallMs = (r: RunResult): number => {
  const last = Math.max(r.reply.lastRecv.ws, r.reply.lastRecv.sse);
  return last - (r.batches[0]?.changedAt ?? NaN);
};

/**
 * Delivered messages per second of server CPU and per second of wall time, median over the
 * runs, floor beside app and app / floor. Per wall second is capped by what the PLC raises
 * (events/s x clients) while a server keeps up: then only per CPU second tells them apart.
 */
export function printThroughput(floor: Figures, app: Figures, offeredPerSecond: number): { cpu: Ratio; wall: Ratio } {
  const perCpuS = (r: RunResult) => delivered(r) / (r.serverCpuMs / 1000);
  const perWallS = (r: RunResult) => delivered(r) / (wallMs(r) / 1000);
  const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
  const line = (what: string, pick: (r: RunResult) => number): Ratio => {
    const f = percentile(floor.runs.map(pick), 0.5);
    const a = percentile(app.runs.map(pick), 0.5);
    const list = (x: Figures) => x.runs.map((r) => k(pick(r))).join(', ');
    console.log(
      `  delivered messages per ${what}: floor ${k(f)} (${list(floor)}); app ${k(a)} (${list(app)}); app / floor ${(a / f).toFixed(2)}`,
    );
    return { floor: f, app: a, ratio: a / f };
  };
  const cpu = line('second of server CPU', perCpuS);
  const wall = line(`wall second (first change -> last client's last message; offered ${k(offeredPerSecond)}/s)`, perWallS);
  return { cpu, wall };
}

/**
 * Delivered messages per second of server CPU spent on the fan-out alone: each run's CPU less
 * what the same polls cost with no client (`quietPerPoll`, ms per poll: polling, rules, journal),
 * per side. Prints it and answers the medians.
 */
export function printFanoutAlone(floor: Figures, app: Figures, quietPerPoll: { floor: number; app: number }): Ratio {
  const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
  const perFanoutCpuS = (quietMs: number) => (r: RunResult) => delivered(r) / ((r.serverCpuMs - quietMs * r.batches.length) / 1000);
  const f = floor.runs.map(perFanoutCpuS(quietPerPoll.floor));
  const a = app.runs.map(perFanoutCpuS(quietPerPoll.app));
  const [fm, am] = [percentile(f, 0.5), percentile(a, 0.5)];
  console.log(
    `  the same polls with no client, server CPU per poll: floor ${quietPerPoll.floor.toFixed(2)} ms, app ${quietPerPoll.app.toFixed(2)} ms (poll, rules, journal: the app's own work)`,
  );
  console.log(
    `  delivered messages per second of server CPU beyond that (the fan-out alone): floor ${k(fm)} (${f.map(k).join(', ')}); app ${k(am)} (${a.map(k).join(', ')}); app / floor ${(am / fm).toFixed(2)}`,
  );
  return { floor: fm, app: am, ratio: am / fm };
}

export interface Ratio {
  floor: number;
  app: number;
  ratio: number;
}
