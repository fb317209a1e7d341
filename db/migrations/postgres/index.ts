import type { Migration } from 'kysely';
import * as initial from './2026-12-05T0001-initial.js';
import * as notifiers from './2026-12-05T0002-notifiers.js';

/**
 * Every PostgreSQL migration, by name; names sort in the order they run. Its own list: the
 * SQLite ones (../index.ts) use SQLite's dialect (AUTOINCREMENT, `collate nocase`, `id >> 12`).
 */
export const migrations: Record<string, Migration> = {
  '2026-12-05T0001-initial': initial,
  '2026-12-05T0002-notifiers': notifiers,
};
