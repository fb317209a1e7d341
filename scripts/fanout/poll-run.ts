import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchTimes, CollectReply, Command } from './protocol.js';
import type { SimulatorProcess } from './sim-control.js';
import { delayedAcks } from './tcp-counters.js';
import { monoNow } from './mono-clock.js';

/** A server under test as a run sees it: its client group, its PLC and its CPU counter. */
export interface Target {
  group: string;
  sim: SimulatorProcess;
  /** CPU the server process has used so far, in ms (procCpuMs). */
  cpuMs(): number;
}

export interface RunPlan {
  run: number;
  /** Register changes, each read by one poll: one batch of `perBatch` events each. */
  batches: number;
  /** Registers flipped together: the events one poll raises. */
  perBatch: number;
  /**
   * After a change was read, the next one waits a random 0..`jitterMs` (0: none, so every
   * poll carries a batch). A random wait spreads the changes over the poll's phase.
   */
  jitterMs: number;
  /**
   * Seeds those waits: runs with the same seed (a floor round and the app round after it) wait
   * the same times, so their poll waits match and "change -> client" compares like with like.
   */
  seed: number;
}

/** One batch, in ms on the shared monotonic clock (monoNow): when the registers changed, when the poll read them, and the clients' receipts. */
export interface BatchTiming extends BatchTimes {
  changedAt: number;
  readAt: number;
}

export interface RunResult {
  reply: CollectReply;
  batches: BatchTiming[];
  /** Server CPU during the run (first change to the last client's last message, plus IPC slack), ms. */
  serverCpuMs: number;
  /** Delayed ACKs the kernel sent during the run (system-wide; NaN off Linux). */
  delayedAcks: number;
}

type Request = <T>(command: Command) => Promise<T>;

/**
 * One run against one target: the client process is told what to expect, then the target's
 * PLC flips `perBatch` registers, waits for the poll that reads them, and flips them again,
 * `batches` times; the client process reports when each batch reached the first and the last client.
 */
export async function pollRun(request: Request, target: Target, plan: RunPlan): Promise<RunResult> {
  await request({ cmd: 'expect', group: target.group, run: plan.run, batches: plan.batches, perBatch: plan.perBatch });
  const cpuStart = target.cpuMs();
  const acksStart = delayedAcks();
  const changedAt: number[] = [];
  const readAt: number[] = [];
  const random = mulberry32(plan.seed);
  for (let batch = 0; batch < plan.batches; batch++) {
    if (plan.jitterMs > 0) await sleep(random() * plan.jitterMs);
    changedAt.push(monoNow());
    readAt.push(await target.sim.toggle(plan.perBatch));
  }
  const reply = await request<CollectReply>({ cmd: 'collect', timeoutMs: 30_000 });
  return {
    reply,
    // NaN crosses the IPC channel as null
    batches: reply.batches.map((b, i) => ({
      changedAt: changedAt[i]!,
      readAt: readAt[i]!,
      firstRecv: b.firstRecv ?? NaN,
      lastRecv: b.lastRecv ?? NaN,
      lastWs: b.lastWs ?? NaN,
      lastSse: b.lastSse ?? NaN,
    })),
    serverCpuMs: target.cpuMs() - cpuStart,
    delayedAcks: delayedAcks() - acksStart,
  };
}

/**
 * The same polls with nobody listening: `polls` times `perBatch` registers flipped, each read by
 * a poll, then one poll more for the last batch to be journaled. Returns the server's CPU per
 * poll, ms: what a batch costs before any client (poll, rules, journal), to be taken from the
 * runs with clients to leave what the fan-out alone costs.
 */
export async function quietRun(target: Target, polls: number, perBatch: number, pollMs: number): Promise<number> {
  const cpuStart = target.cpuMs();
  for (let batch = 0; batch < polls; batch++) await target.sim.toggle(perBatch);
  await sleep(pollMs);
  return (target.cpuMs() - cpuStart) / (polls + 1);
}

/** A small seeded PRNG (mulberry32): the same seed, the same numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Messages delivered in a run, both transports. */
export const delivered = (r: RunResult): number => r.reply.received.ws + r.reply.received.sse;
