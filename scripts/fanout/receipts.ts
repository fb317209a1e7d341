import { BENCH_MARK } from './alarm-event.js';
import type { CollectReply, Counts } from './protocol.js';

type Kind = keyof Counts;

/** One client's place in the current run: how many of its messages have arrived. */
export interface Tally {
  readonly kind: Kind;
  run: number;
  index: number;
}

const MARK = Buffer.from(BENCH_MARK);

/**
 * What the client process received during one run. Every client gets the run's messages in
 * publish order, so a client's n-th message belongs to batch n / perBatch: counting is enough,
 * and a batch has reached every client when its last message has reached the last client. The
 * embedded marker ("run:batch:sent_at") is read once per batch, for its send time and to check
 * that the counting is right.
 */
export class Receipts {
  #run = -1;
  #perBatch = 1;
  #perClient = 0;
  #expected: Counts = { ws: 0, sse: 0 };
  #received: Counts = { ws: 0, sse: 0 };
  #lastRecv: Counts = { ws: 0, sse: 0 };
  #sentAt: number[] = [];
  #batchLastRecv: number[] = [];
  #mismatches = 0;
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
    this.#sentAt = new Array<number>(batches).fill(NaN);
    this.#batchLastRecv = new Array<number>(batches).fill(NaN);
    this.#mismatches = 0;
    this.#extra = 0;
    this.#remaining = this.#expected.ws + this.#expected.sse;
    this.#cpuStart = process.cpuUsage();
    this.#eluStart = performance.eventLoopUtilization();
  }

  /**
   * One message reached a client at `now`; its marker, if needed, is searched for in
   * `bytes` from `from` (pass -1 when the message is not contiguous in `bytes`).
   */
  arrived(t: Tally, now: number, bytes: Buffer, from: number): void {
    if (t.run !== this.#run) {
      t.run = this.#run;
      t.index = 0;
    }
    const k = t.index++;
    if (k >= this.#perClient) {
      this.#extra += 1; // more than the run holds: a straggler of an earlier, incomplete run
      return;
    }
    const batch = (k / this.#perBatch) | 0;
    if (k % this.#perBatch === 0 && from >= 0 && Number.isNaN(this.#sentAt[batch]!)) this.#readMarker(bytes, from, batch);
    if (k % this.#perBatch === this.#perBatch - 1) this.#batchLastRecv[batch] = now; // times only grow
    this.#received[t.kind] += 1;
    this.#lastRecv[t.kind] = now;
    if (--this.#remaining === 0) {
      this.#cpuAtLast = process.cpuUsage(this.#cpuStart);
      this.#eluAtLast = performance.eventLoopUtilization(this.#eluStart);
      this.#onComplete?.();
    }
  }

  #readMarker(bytes: Buffer, from: number, batch: number): void {
    const at = bytes.indexOf(MARK, from);
    if (at < 0) return;
    const start = at + MARK.length;
    const [run, markedBatch, sentAt] = bytes.toString('latin1', start, bytes.indexOf(0x22, start)).split(':').map(Number);
    if (run !== this.#run || markedBatch !== batch) this.#mismatches += 1;
    else this.#sentAt[batch] = sentAt!;
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
      batches: this.#sentAt.map((sentAt, i) => ({ sentAt, lastRecv: this.#batchLastRecv[i]! })),
      lastRecv: this.#lastRecv,
      cpuMs: (cpu.user + cpu.system) / 1000,
      eventLoopBusy: elu.utilization,
      markerMismatches: this.#mismatches,
      extraMessages: this.#extra,
      unexpectedCloses,
    };
  }
}
