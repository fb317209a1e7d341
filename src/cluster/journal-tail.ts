import type { Clock } from '../kernel/clock.js';
import type { JournalEvent } from '../journal/events.js';
import type { Logger } from '../log/logger.js';

/** Events read per query; a longer backlog is read in pages, one after the other. */
const PAGE = 1_000;
/** Read anyway this often: a notification lost while the session reconnected costs at most this. */
const POLL_MS = 1_000;

export interface JournalTailOptions {
  /** Committed events with ids above `afterId`, oldest first, at most `limit`. */
  readAfter(afterId: number, limit: number): Promise<JournalEvent[]>;
  /** Every event of the cluster, once, in id order. */
  publish(events: JournalEvent[]): void;
  clock: Clock;
  log: Logger;
}

/**
 * Every node's view of the one journal: it hands each event to `publish` once, in id order,
 * whichever node committed it. The table is the only source; a notification only says "read".
 * Ids are handed out in commit order (src/journal/postgres-journal-store.ts), so reading
 * `id > cursor` never skips an event that commits later: any later commit has a larger id.
 *
 * The node's own commits are offered straight away and published at once when they follow the
 * cursor without a gap, so a local change reaches local clients without a round trip; anything
 * else (another node's events, a gap left by a rolled-back transaction) waits for the read.
 */
export function createJournalTail(options: JournalTailOptions) {
  const { clock, log } = options;
  let cursor = 0;
  let reading = false;
  let again = false;
  let timer: unknown;
  let stopped = true;

  function publish(events: JournalEvent[]): void {
    const fresh = events[0]!.id > cursor ? events : events.filter((e) => e.id > cursor);
    if (fresh.length === 0) return;
    cursor = fresh.at(-1)!.id;
    try {
      options.publish(fresh);
    } catch (err) {
      log.error(`cluster: publishing events up to ${cursor} failed: ${String(err)}`);
    }
  }

  async function read(): Promise<void> {
    if (reading) return void (again = true);
    reading = true;
    try {
      for (;;) {
        again = false;
        const events = await options.readAfter(cursor, PAGE);
        if (stopped) return;
        if (events.length > 0) publish(events);
        if (!again && events.length < PAGE) return;
      }
    } catch (err) {
      log.error(`cluster: reading the journal after ${cursor} failed: ${String(err)}`);
    } finally {
      reading = false;
    }
  }

  function poll(): void {
    timer = clock.setTimer(clock.now() + POLL_MS, () => {
      if (stopped) return;
      void read().finally(() => !stopped && poll());
    });
  }

  return {
    /** Publishes what commits after `fromId` (what this node has already published through). */
    start(fromId: number): void {
      cursor = fromId;
      stopped = false;
      poll();
    },
    /** A notification or a reconnect: something may have committed. */
    hint(): void {
      if (!stopped) void read();
    },
    /** This node's own commits, as its journal tells them. */
    offer(events: JournalEvent[]): void {
      if (stopped || events.length === 0) return;
      if (events[0]!.id === cursor + 1) publish(events);
      else if (events.at(-1)!.id > cursor) void read();
    },
    /** The last id published. */
    get cursor() {
      return cursor;
    },
    stop(): void {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
    },
  };
}

export type JournalTail = ReturnType<typeof createJournalTail>;
