import { dialectOf, type Db } from '../db/database.js';
import { sqliteJournalStore, type JournalStore } from './journal-store.js';
import { postgresJournalStore } from './postgres-journal-store.js';

/** The journal's store for the database's dialect. */
export function journalStoreFor(db: Db): JournalStore {
  return dialectOf(db) === 'postgres' ? postgresJournalStore(db) : sqliteJournalStore(db);
}
