import type { BatchTimes, CollectReply, Counts } from './protocol.js';

type Kind = keyof Counts;

/** One client's place in the current run: how many of its messages have arrived. */
export interface Tally {
  readonly kind: Kind;
  run: number;
  index: number;
}

/**
 * What the client process received during one run. Every client gets the run's messages in
 * publish order, so a client's n-th message belongs to batch n / perBatch: counting is enough.
 * A batch reached its first client when the first of all clients got its first message, and
 * every client when its last message reached the last client (of each transport, and of both).
 */
export class Receipts {
  #run = -1;
  #perBatch = 1;
  #perClient = 0;
  #expected: Counts = { ws: 0, sse: 0 };
  #received: Counts = { ws: 0, sse: 0 };
  #lastRecv: Counts = { ws: 0, sse: 0 };
  #batches: BatchTimes[] = [];
  #extra = 0;
  #remaining = 0;
  #cpuStart = process.cpuUsage();
  #cpuAtLast = process.cpuUsage();
  #eluStart = performance.eventLoopUtilization();
  #eluAtLast = performance.eventLoopUtilization();
  #onComplete: (() => void) | undefined;

  tally(kind: Kind): Tally {
    return { kind, run: -1, index: 0 };
  }

  expect(run: number, batches: number, perBatch: number, clients: Counts): void {
    this.#run = run;
    this.#perBatch = perBatch;
    this.#perClient = batches * perBatch;
    this.#expected = { ws: clients.ws * this.#perClient, sse: clients.sse * this.#perClient };
    this.#received = { ws: 0, sse: 0 };
    this.#lastRecv = { ws: 0, sse: 0 };
    this.#batches = Array.from({ length: batches }, () => ({ firstRecv: NaN, lastRecv: NaN, lastWs: NaN, lastSse: NaN }));
    this.#extra = 0;
    this.#remaining = this.#expected.ws + this.#expected.sse;
    this.#cpuStart = process.cpuUsage();
    this.#eluStart = performance.eventLoopUtilization();
  }

  /** One message reached a client at `now`. */
  arrived(t: Tally, now: number): void {
    if (t.run !== this.#run) {
      t.run = this.#run;
      t.index = 0;
    }
    const k = t.index++;
    if (k >= this.#perClient) {
      this.#extra += 1; // more than the run holds: a straggler of an earlier, incomplete run
      return;
    }
    const times = this.#batches[(k / this.#perBatch) | 0]!;
    if (k % this.#perBatch === 0 && Number.isNaN(times.firstRecv)) times.firstRecv = now;
    if (k % this.#perBatch === this.#perBatch - 1) {
      // times only grow
      times.lastRecv = now;
      if (t.kind === 'ws') times.lastWs = now;
      else times.lastSse = now;
    }
    this.#received[t.kind] += 1;
    this.#lastRecv[t.kind] = now;
    if (--this.#remaining === 0) {
      this.#cpuAtLast = process.cpuUsage(this.#cpuStart);
      this.#eluAtLast = performance.eventLoopUtilization(this.#eluStart);
      this.#onComplete?.();
    }
  }

  /** Resolves when every expected message arrived, or after `timeoutMs`. */
  async collect(timeoutMs: number, unexpectedCloses: Record<string, number>): Promise<Omit<CollectReply, 'id'>> {
    const complete =
      this.#remaining <= 0 ||
      (await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        this.#onComplete = () => {
          clearTimeout(timer);
          resolve(true);
        };
      }));
    this.#onComplete = undefined;
    const cpu = complete ? this.#cpuAtLast : process.cpuUsage(this.#cpuStart);
    const elu = complete ? this.#eluAtLast : performance.eventLoopUtilization(this.#eluStart);
    return {
      complete,
      expected: this.#expected,
      received: this.#received,
      batches: this.#batches,
      lastRecv: this.#lastRecv,
      cpuMs: (cpu.user + cpu.system) / 1000,
      eventLoopBusy: elu.utilization,
      extraMessages: this.#extra,
      unexpectedCloses,
    };
  }
}
