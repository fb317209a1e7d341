/** The figures per phase, the table, and each target as met or missed. */
import { percentile } from '../fanout/stats.js';
import type { Phase } from './phases.js';
import type { Delivery, HealthSample } from './protocol.js';

export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface PhaseFigures {
  phase: Phase;
  health: Spread & { failed: number };
  /** delivery: journal.append call (sent_at) -> receipt */
  ws: Spread;
  sse: Spread;
  /** the same from the transition's scheduled time (due_at): adds how late the server's loop ran the append */
  wsDue: Spread;
  sseDue: Spread;
  /** how late the appends ran: sent_at - due_at */
  lateness: Spread;
  /** transitions appended in the window */
  sent: number;
  /** the slowest /healthz: how long, and when, from the phase's start, ms */
  slowestHealth: { ms: number; atMs: number };
}

export const spread = (xs: number[]): Spread => ({
  n: xs.length,
  p50: percentile(xs, 0.5),
  p99: percentile(xs, 0.99),
  max: xs.reduce((m, x) => Math.max(m, x), -Infinity),
});

/** Delivery latencies of one transport for events appended (or, `fromDue`, due) in [from, to). */
export function deliveryLatencies(
  deliveries: Delivery[],
  transport: Delivery['transport'],
  from: number,
  to: number,
  fromDue = false,
): number[] {
  const start = (d: Delivery) => (fromDue ? d.dueAt : d.sentAt);
  return deliveries.filter((d) => d.transport === transport && start(d) >= from && start(d) < to).map((d) => d.recvAt - start(d));
}

/** Samples belong to the phase in which they started (a delivery: when its event was appended, or fell due). */
export function figuresOf(
  phase: Phase,
  deliveries: Delivery[],
  health: HealthSample[],
  sent: { dueAt: number; sentAt: number }[],
): PhaseFigures {
  const inside = (t: number) => t >= phase.start && t < phase.end;
  const latencies = (transport: Delivery['transport'], fromDue = false) =>
    spread(deliveryLatencies(deliveries, transport, phase.start, phase.end, fromDue));
  const polls = health.filter((h) => inside(h.at));
  return {
    phase,
    health: { ...spread(polls.map((h) => h.ms)), failed: polls.filter((h) => h.status !== 200).length },
    ws: latencies('ws'),
    sse: latencies('sse'),
    wsDue: latencies('ws', true),
    sseDue: latencies('sse', true),
    lateness: spread(sent.filter((s) => inside(s.dueAt)).map((s) => s.sentAt - s.dueAt)),
    sent: sent.filter((s) => inside(s.sentAt)).length,
    slowestHealth: polls.reduce((w, h) => (h.ms > w.ms ? { ms: h.ms, atMs: h.at - phase.start } : w), { ms: -Infinity, atMs: NaN }),
  };
}

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const pad = (s: string, n: number) => s.padStart(n);
const ratio = (x: number, floor: number) => (Number.isFinite(x / floor) ? `${(x / floor).toFixed(1)}x` : '-');

/** One row per phase; ratios are against the first phase (the quiet floor). */
export function printTable(rows: PhaseFigures[]): void {
  const floor = rows[0]!;
  const head = [
    pad('phase', 12),
    pad('secs', 5),
    pad('healthz p50/p99/max ms', 23),
    pad('WS p50/p99 ms (p99 vs quiet)', 29),
    pad('SSE p50/p99 ms (p99 vs quiet)', 30),
    pad('sent/WS/SSE', 12),
    pad('srv loop busy', 14),
    pad('loop delay p99/max ms', 22),
    pad('CPU cores', 10),
  ];
  console.log(head.join(' '));
  for (const r of rows) {
    const h = r.health;
    const stream = (s: Spread, q: Spread) => `${f(s.p50)}/${f(s.p99)} (${ratio(s.p99, q.p99)})`;
    console.log(
      [
        pad(r.phase.name, 12),
        pad(f((r.phase.end - r.phase.start) / 1000), 5),
        pad(`${f(h.p50)}/${f(h.p99)}/${f(h.max)}${h.failed ? ` ${h.failed} failed` : ''}`, 23),
        pad(stream(r.ws, floor.ws), 29),
        pad(stream(r.sse, floor.sse), 30),
        pad(`${r.sent}/${r.ws.n}/${r.sse.n}`, 12),
        pad(`${(r.phase.serverLoopBusy * 100).toFixed(0)}%`, 14),
        pad(`${f(r.phase.loopDelayP99)}/${f(r.phase.loopDelayMax)}`, 22),
        pad(f(r.phase.processCores, 2), 10),
      ].join(' '),
    );
  }
}

/** The same deliveries timed from each transition's scheduled time: what the server loop's lateness adds. */
export function printScheduleTable(rows: PhaseFigures[]): void {
  const floor = rows[0]!;
  console.log(
    [
      pad('phase', 12),
      pad('append lateness p50/p99/max ms', 31),
      pad('WS due->recv p50/p99 (vs quiet)', 32),
      pad('SSE due->recv p50/p99 (vs quiet)', 33),
    ].join(' '),
  );
  for (const r of rows) {
    const stream = (s: Spread, q: Spread) => `${f(s.p50)}/${f(s.p99)} (${ratio(s.p99, q.p99)})`;
    console.log(
      [
        pad(r.phase.name, 12),
        pad(`${f(r.lateness.p50)}/${f(r.lateness.p99)}/${f(r.lateness.max)}`, 31),
        pad(stream(r.wsDue, floor.wsDue), 32),
        pad(stream(r.sseDue, floor.sseDue), 33),
      ].join(' '),
    );
  }
}

/** Where each phase's worst /healthz fell, beside the server thread's GC pauses. */
export function printStalls(rows: PhaseFigures[]): void {
  for (const r of rows) {
    const p = r.phase;
    console.log(
      `  ${r.phase.name}: slowest /healthz ${f(r.slowestHealth.ms)} ms at +${f(r.slowestHealth.atMs / 1000)} s; ` +
        `server thread GC ${f(p.gcMs, 0)} ms in all (${f((p.gcMs / (p.end - p.start)) * 100)}% of the phase), longest pause ${f(p.gcMaxMs)} ms`,
    );
  }
}

export interface Target {
  what: string;
  value: string;
  met: boolean;
}

export function printTargets(targets: Target[]): void {
  const width = Math.max(...targets.map((t) => t.what.length));
  for (const t of targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.what.padEnd(width)}  ${t.value}`);
}
