import { alarmStateWriter } from './alarm-states.js';
import { sqliteHandle, type Db } from '../db/database.js';
import { eventAppender, type JournalEvent, type NewEvent } from './events.js';
import type { AlarmRecord } from '../engine/index.js';

/** The alarm records a write leaves behind: stored in the transaction of its events. */
export interface AlarmStateWrite {
  records: readonly AlarmRecord[];
  /** rules whose record is gone (the rule was deleted) */
  gone: readonly number[];
}

/** One append: its events, their time, and the alarm records to store with them. */
export interface JournalWrite {
  events: NewEvent[];
  ts: string;
  states: AlarmStateWrite | undefined;
}

/**
 * Where the journal keeps events: the one place that knows the database's dialect. SQLite
 * writes synchronously through prepared statements; PostgreSQL writes through a pool, with ids
 * handed out in commit order (src/journal/postgres-journal-store.ts).
 */
export interface JournalStore {
  /**
   * Writes the batch in one transaction and returns the stored events, in order. Synchronous
   * when it can be (SQLite with its connection free), so that a poll cycle reaches clients
   * without a turn of the event loop; otherwise a promise.
   */
  write(batch: readonly JournalWrite[]): JournalEvent[] | Promise<JournalEvent[]>;
  /** Runs `work` and appends the events it returns, in one transaction. */
  transact<T>(ts: string, work: (trx: Db) => Promise<{ result: T; events: NewEvent[] }>): Promise<{ result: T; stored: JournalEvent[] }>;
}

/** SQLite: prepared statements on Kysely's own connection, so they join its transactions. */
export function sqliteJournalStore(db: Db): JournalStore {
  const sqlite = sqliteHandle(db);
  const appendEvents = eventAppender(db);
  const saveAlarmStates = alarmStateWriter(db);
  const writeAll = (batch: readonly JournalWrite[]): JournalEvent[] => {
    const stored: JournalEvent[] = [];
    for (const write of batch) {
      if (write.states) saveAlarmStates(write.states.records, write.states.gone);
      for (const e of appendEvents(write.events, write.ts)) stored.push(e);
    }
    return stored;
  };
  const writeNow = sqlite.transaction(writeAll);
  return {
    write(batch) {
      // Another transaction (a record() in flight) holds the connection: wait for it as Kysely does.
      if (sqlite.inTransaction) return db.transaction().execute(async () => writeAll(batch));
      return writeNow(batch);
    },
    transact(ts, work) {
      return db.transaction().execute(async (trx) => {
        const { result, events } = await work(trx);
        return { result, stored: appendEvents(events, ts) };
      });
    },
  };
}
