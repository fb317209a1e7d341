import type { CollectReply, Command } from './protocol.js';
import { delayedAcks } from './tcp-counters.js';
import { wallNow } from './wall-clock.js';

export interface RunPlan {
  /** The client group that receives this run. */
  group: string;
  run: number;
  batches: number;
  perBatch: number;
  /** The wait between batches: 0 publishes one per setImmediate tick, as fast as the server takes them. */
  gapMs?: number;
}

export interface RunResult {
  reply: CollectReply;
  /** Publish time of each batch (also embedded in its messages). */
  sentAt: number[];
  /** Per batch: publish -> the last client got it, in ms. */
  latencies: number[];
  /** Messages delivered to all clients per second, first publish to last arrival. */
  rate: number;
  /** The same for one transport's clients only. */
  wsRate: number;
  wallMs: number;
  serverCpuMs: number;
  /** The share of the run the server's event loop was busy (0..1). */
  serverBusy: number;
  /** Delayed ACKs the kernel sent during the run (system-wide; NaN off Linux). */
  delayedAcks: number;
}

type Request = <T>(command: Command) => Promise<T>;

/**
 * One run: the client process is told what to expect, then `publish` is called once per
 * setImmediate tick (or every `gapMs`) with the batch index and its publish time, and the client process reports
 * when the last client got the last message. Whatever `publish` returns is awaited at the end
 * (the app's journal appends).
 */
export async function publishRun(request: Request, plan: RunPlan, publish: (batch: number, sentAt: number) => unknown): Promise<RunResult> {
  const { gapMs = 0, ...expected } = plan;
  await request({ cmd: 'expect', ...expected });
  const cpuStart = process.cpuUsage();
  const eluStart = performance.eventLoopUtilization();
  const acksStart = delayedAcks();
  const sentAt: number[] = [];
  const pending: unknown[] = [];
  for (let batch = 0; batch < plan.batches; batch++) {
    await new Promise((resolve) => (gapMs > 0 ? setTimeout(resolve, gapMs) : setImmediate(resolve)));
    const now = wallNow();
    sentAt.push(now);
    pending.push(publish(batch, now));
  }
  await Promise.all(pending);
  const reply = await request<CollectReply>({ cmd: 'collect', timeoutMs: 30_000 });
  const cpu = process.cpuUsage(cpuStart);
  const elu = performance.eventLoopUtilization(eluStart);

  const first = sentAt[0]!;
  const last = Math.max(reply.lastRecv.ws, reply.lastRecv.sse);
  return {
    reply,
    sentAt,
    // The send time as the client read it from the message (the same number), else ours
    // (NaN crosses the IPC channel as null.)
    latencies: reply.batches.map((b, i) => b.lastRecv - (Number.isFinite(b.sentAt) ? b.sentAt : sentAt[i]!)).filter((x) => Number.isFinite(x)),
    rate: (reply.received.ws + reply.received.sse) / ((last - first) / 1000),
    wsRate: reply.received.ws / ((reply.lastRecv.ws - first) / 1000),
    wallMs: last - first,
    serverCpuMs: (cpu.user + cpu.system) / 1000,
    serverBusy: elu.utilization,
    delayedAcks: delayedAcks() - acksStart,
  };
}

/** Several runs of one setup: the median rates and every batch's latency. */
export interface Summary {
  runs: RunResult[];
  rate: number;
  wsRate: number;
  /** Server CPU time per delivered message, in microseconds: steadier than rates on a busy machine. */
  serverUsPerMessage: number;
  latencies: number[];
}

export function summarize(runs: RunResult[]): Summary {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    runs,
    rate: median(runs.map((r) => r.rate)),
    wsRate: median(runs.map((r) => r.wsRate)),
    serverUsPerMessage: median(runs.map(usPerMessage)),
    latencies: runs.flatMap((r) => r.latencies),
  };
}

export function usPerMessage(r: RunResult): number {
  return (r.serverCpuMs * 1000) / (r.reply.received.ws + r.reply.received.sse);
}
