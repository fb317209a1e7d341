import { sql } from 'kysely';
import { saveAlarmStatesPg } from './alarm-states.js';
import type { Db } from '../db/database.js';
import { appendEventsPg, type JournalEvent, type NewEvent } from './events.js';
import type { AlarmRecord } from '../engine/index.js';
import type { JournalStore, JournalWrite } from './journal-store.js';

/** Told on commit of every journal transaction, with the last id it stored: a hint to read the table. */
export const JOURNAL_CHANNEL = 'alarm_journal';

/** The transaction-level advisory lock every append takes (an arbitrary constant of ours). */
const JOURNAL_LOCK = 0x4a524e4c; // "JRNL"

/**
 * Takes the journal lock for the rest of the transaction. Every transaction that inserts
 * events takes it before its first insert, so appends are serialized across the cluster:
 * a transaction draws its ids only after the one before it has committed, and releases the
 * lock only after its own commit is visible. Ids are therefore strictly increasing in commit
 * order, and a reader that has seen id N has already been able to see every id below N: a
 * stream that resumes after N, on any node, misses nothing.
 */
export async function lockJournal(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(${JOURNAL_LOCK})`.execute(trx);
}

/** Delivered to every listening node when the transaction commits; never the only copy of an event. */
async function notifyCommitted(trx: Db, stored: readonly JournalEvent[]): Promise<void> {
  const last = stored.at(-1);
  if (last) await sql`select pg_notify(${JOURNAL_CHANNEL}, ${String(last.id)})`.execute(trx);
}

/** PostgreSQL: every write is a pooled transaction under the journal lock. */
export function postgresJournalStore(db: Db): JournalStore {
  async function writeIn(trx: Db, batch: readonly JournalWrite[]): Promise<JournalEvent[]> {
    await lockJournal(trx);
    const stored: JournalEvent[] = [];
    const records: AlarmRecord[] = [];
    const gone: number[] = [];
    for (const write of batch) {
      if (write.events.length > 0) for (const e of await appendEventsPg(trx, write.events, write.ts)) stored.push(e);
      if (write.states) records.push(...write.states.records), gone.push(...write.states.gone);
    }
    if (records.length > 0 || gone.length > 0) await saveAlarmStatesPg(trx, records, gone);
    await notifyCommitted(trx, stored);
    return stored;
  }

  return {
    write: (batch) => db.transaction().execute((trx) => writeIn(trx, batch)),
    transact(ts, work) {
      return db.transaction().execute(async (trx) => {
        // First, not last: record() reads before it writes (the next item sequence number, the
        // items due), and under the lock those reads see every earlier commit of the cluster.
        await lockJournal(trx);
        const { result, events }: { result: Awaited<ReturnType<typeof work>>['result']; events: NewEvent[] } = await work(trx);
        const stored = events.length > 0 ? await appendEventsPg(trx, events, ts) : [];
        await notifyCommitted(trx, stored);
        return { result, stored };
      });
    },
  };
}
