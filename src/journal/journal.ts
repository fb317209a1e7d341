import type { Clock } from '../clock.js';
import { sqliteHandle, type Db } from '../db/database.js';
import { eventAppender, type JournalEvent, type NewEvent } from '../db/events.js';
import type { Logger } from '../log/logger.js';

export type JournalListener = (events: JournalEvent[]) => void;

/** What a unit of work returns: its result and the events that record it. */
export interface Recorded<T> {
  result: T;
  events: NewEvent[];
}

/**
 * The event journal: every change is written with its events in one transaction, and only
 * after the commit are the stored events (with their ids) handed to listeners. Journal
 * before broadcast: a client never sees an event that a crash could take back.
 */
export function createJournal(db: Db, clock: Clock, log: Logger) {
  const listeners = new Set<JournalListener>();
  const appendEvents = eventAppender(db);
  const sqlite = sqliteHandle(db);
  const appendNow = sqlite.transaction((events: NewEvent[], ts: string, alongside: (() => void) | undefined) => {
    alongside?.();
    return appendEvents(events, ts);
  });
  const inFlight = new Set<Promise<unknown>>();

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

  /** Runs `work` and appends its events in one transaction, then notifies listeners. */
  async function record<T>(work: (trx: Db, ts: string) => Promise<Recorded<T>>): Promise<T> {
    const ts = new Date(clock.now()).toISOString();
    const writing = db.transaction().execute(async (trx) => {
      const { result, events } = await work(trx, ts);
      return { result, stored: appendEvents(events, ts) };
    });
    inFlight.add(writing);
    try {
      const { result, stored } = await writing;
      notify(stored);
      return result;
    } finally {
      inFlight.delete(writing);
    }
  }

  /**
   * Appends events, with `alongside` (prepared statements only, such as alarm states) in the
   * same transaction. When nothing else is writing, this commits synchronously, before it
   * returns: no Kysely round trips on the way from a poll cycle to the clients. Otherwise it
   * waits its turn, so events are always journaled in the order they were handed in.
   */
  function append(events: NewEvent[], alongside?: () => void): Promise<void> {
    if (inFlight.size > 0 || sqlite.inTransaction) {
      return record(async () => {
        alongside?.();
        return { result: undefined, events };
      });
    }
    const ts = new Date(clock.now()).toISOString();
    try {
      notify(appendNow(events, ts, alongside));
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  return {
    record,
    append,
    /** Resolves once every write started so far has finished (shutdown). */
    async flush(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
    subscribe(listener: JournalListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Journal = ReturnType<typeof createJournal>;
