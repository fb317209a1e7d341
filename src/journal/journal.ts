import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';
import type { JournalEvent, NewEvent } from './events.js';
import { unavailable } from '../kernel/errors.js';
import type { Logger } from '../log/logger.js';
import type { AlarmStateWrite, JournalStore, JournalWrite } from './journal-store.js';
import { isStorageFault } from './storage-fault.js';

export type JournalListener = (events: JournalEvent[]) => void;

/** What a unit of work returns: its result and the events that record it. */
export interface Recorded<T> {
  result: T;
  events: NewEvent[];
}

/** What `/healthz` says (SPEC 10): degraded while writes that failed wait to be retried. */
export type JournalHealth = { status: 'ok' } | { status: 'degraded'; reason: string };

/** Retries run on the clock: 250 ms, doubling to 5 s. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** Events per transaction when a backlog drains: one fsync each, and the event loop between them. */
const BATCH_EVENTS = 5_000;

/** Events to append, with the alarm records that belong in their transaction. */
interface Append extends JournalWrite {
  kind: 'append';
  committed(): void;
  refused(err: unknown): void;
  /** told once when a failure holds the write back (appendOrHold) */
  held: (() => void) | undefined;
}

/** A record() call: a Kysely transaction that runs when its turn comes. Never rejects. */
interface Work {
  kind: 'record';
  run(): Promise<void>;
  refused(err: unknown): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The event journal: every change is written with its events in one transaction, and only
 * after the commit are the stored events (with their ids) handed to listeners. Journal
 * before broadcast: a client never sees an event that a crash could take back.
 *
 * Every write waits its turn in one queue, so events are journaled and told in the order they
 * were handed in. An append that fails on storage (disk full, I/O error) stays at the head with
 * everything behind it, and the head is retried on the clock until it commits: nothing lost,
 * nothing skips ahead, nothing told before it is stored. Meanwhile the journal is degraded and
 * record() refuses at once (503) rather than write out of order.
 */
export function createJournal(store: JournalStore, clock: Clock, log: Logger) {
  const listeners = new Set<JournalListener>();

  const queue: (Append | Work)[] = [];
  /** a write of ours is running through Kysely */
  let busy = false;
  let pumping = false;
  /** the next attempt: a retry, or the next batch of a backlog */
  let timer: unknown;
  /** why writes fail, while they do */
  let failure: string | null = null;
  let failingSince = 0;
  let retryMs = FIRST_RETRY_MS;
  /** writes to try one per transaction, to find the one a non-storage error belongs to */
  let singly = 0;
  /** set by flush(): a failed write is refused from then on, not retried */
  let closing = false;
  const idle: (() => void)[] = [];

  function notify(events: JournalEvent[]) {
    if (events.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(events);
      } catch (err) {
        log.error(`journal listener failed: ${String(err)}`);
      }
    }
  }

  /** Writes what is queued, in order, until the queue is empty, a write is in flight, or it must wait. */
  function pump(): void {
    if (pumping) return; // a listener appended: the loop below takes it
    pumping = true;
    try {
      let batches = 0;
      while (queue.length > 0 && !busy && timer === undefined) {
        const head = queue[0]!;
        if (head.kind === 'record') {
          queue.shift();
          runAsync(head.run);
        } else if (batches++ > 0 && !closing) {
          timer = clock.setTimer(clock.now(), resume); // a backlog: others get the event loop between batches
        } else {
          const batch = takeBatch();
          let stored: JournalEvent[] | Promise<JournalEvent[]>;
          try {
            stored = store.write(batch);
          } catch (err) {
            failed(batch, err);
            continue;
          }
          if (stored instanceof Promise) {
            const pending = stored;
            runAsync(() =>
              pending.then(
                (s) => settle(batch, s),
                (err: unknown) => failed(batch, err),
              ),
            );
          } else settle(batch, stored);
        }
      }
    } finally {
      pumping = false;
    }
    if (!busy && queue.length === 0) for (const resolve of idle.splice(0)) resolve();
  }

  function resume(): void {
    timer = undefined;
    pump();
  }

  function runAsync(run: () => Promise<void>): void {
    busy = true;
    const done = () => {
      busy = false;
      pump();
    };
    run().then(done, done);
  }

  /** The appends at the head, up to BATCH_EVENTS events (always at least one). */
  function takeBatch(): Append[] {
    const batch: Append[] = [];
    let events = 0;
    for (const entry of queue) {
      if (entry.kind !== 'append') break;
      if (batch.length > 0 && (singly > 0 || events + entry.events.length > BATCH_EVENTS)) break;
      batch.push(entry);
      events += entry.events.length;
    }
    return batch;
  }

  function settle(batch: Append[], stored: JournalEvent[]): void {
    queue.splice(0, batch.length);
    if (singly > 0) singly--;
    if (failure !== null) {
      log.info(`journal: writing again after ${Math.round((clock.now() - failingSince) / 1000)} s`);
      failure = null; // before the listeners: whoever sees the events finds the journal healthy
    }
    notify(stored);
    for (const write of batch) write.committed();
  }

  function failed(batch: Append[], err: unknown): void {
    if (isStorageFault(err)) return closing ? giveUp(err) : degrade(err);
    if (batch.length > 1) {
      singly = batch.length; // one per transaction, to find the write at fault
      return;
    }
    // A write that can never succeed (a bug, a constraint) is its caller's error, as it always was.
    queue.shift();
    if (singly > 0) singly--;
    batch[0]!.refused(err);
  }

  function degrade(err: Error): void {
    if (failure === null) {
      failingSince = clock.now();
      retryMs = FIRST_RETRY_MS;
      log.error(`journal: writes fail (${err.message}); holding them in order and retrying`);
    } else retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    failure = err.message;
    timer = clock.setTimer(clock.now() + retryMs, resume);
    // Units of work not begun yet would wait behind the held writes for who knows how long: refuse them.
    for (let i = queue.length - 1; i >= 0; i--) {
      const entry = queue[i]!;
      if (entry.kind === 'record') {
        queue.splice(i, 1);
        entry.refused(refusal());
      } else if (entry.held) {
        const held = entry.held;
        entry.held = undefined;
        held();
      }
    }
  }

  function giveUp(err: Error): void {
    const lost = queue.splice(0);
    const events = lost.reduce((n, e) => n + (e.kind === 'append' ? e.events.length : 0), 0);
    log.error(`journal: stopping with ${events} event(s) not journaled: ${err.message}`);
    for (const entry of lost) entry.refused(unavailable(`The journal is closed: ${err.message}`));
  }

  function refusal() {
    return unavailable(`The journal cannot be written: ${failure}`, Math.ceil(retryMs / 1000));
  }

  function enqueue(events: NewEvent[], states: AlarmStateWrite | undefined, held: (() => void) | undefined): Promise<void> {
    return new Promise<void>((committed, refused) => {
      queue.push({ kind: 'append', events, ts: iso(clock.now()), states, committed, refused, held: failure === null ? held : undefined });
      if (failure !== null) held?.();
      pump();
    });
  }

  /** Runs `work` and appends its events in one transaction, then notifies listeners. 503 while degraded. */
  function record<T>(work: (trx: Db, ts: string) => Promise<Recorded<T>>): Promise<T> {
    if (failure !== null) return Promise.reject(refusal());
    const ts = iso(clock.now());
    return new Promise<T>((resolve, reject) => {
      queue.push({
        kind: 'record',
        refused: reject,
        async run() {
          try {
            const { result, stored } = await store.transact(ts, (trx) => work(trx, ts));
            notify(stored);
            resolve(result);
          } catch (err) {
            reject(isStorageFault(err) ? unavailable(`The journal cannot be written: ${err.message}`) : err);
          }
        },
      });
      pump();
    });
  }

  return {
    record,

    /**
     * Appends events, with the alarm records they leave behind in the same transaction; resolves
     * once committed. On SQLite with nothing else writing, this commits synchronously, before it
     * returns: no Kysely round trips on the way from a poll cycle to the clients. A storage
     * failure does not reject: the write is held and retried in order.
     */
    append(events: NewEvent[], states?: AlarmStateWrite): Promise<void> {
      return enqueue(events, states, undefined);
    },

    /**
     * As append, but resolves `held` as soon as a failure holds the write back (it stays queued
     * and is journaled later, in order): for a caller that owes someone an answer now.
     */
    appendOrHold(events: NewEvent[], states?: AlarmStateWrite): Promise<'committed' | 'held'> {
      return new Promise((resolve, reject) => {
        enqueue(events, states, () => resolve('held')).then(() => resolve('committed'), reject);
      });
    },

    health: (): JournalHealth => (failure === null ? { status: 'ok' } : { status: 'degraded', reason: failure }),

    /** Throws `unavailable` while degraded: for callers that must not change what they could not journal. */
    assertWritable(): void {
      if (failure !== null) throw refusal();
    },

    /** Resolves once everything handed in so far is written (or refused). */
    idle(): Promise<void> {
      if (!busy && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },

    /**
     * Shutdown: writes what is queued (a degraded journal tries once more, now) and resolves when
     * done. What still cannot be written is logged and refused, and from now on a failed write is
     * refused rather than retried: nothing is left retrying against a closed database.
     */
    flush(): Promise<void> {
      closing = true;
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
      pump();
      if (!busy && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },

    subscribe(listener: JournalListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Journal = ReturnType<typeof createJournal>;
