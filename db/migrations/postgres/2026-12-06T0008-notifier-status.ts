import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// A notifier's status counters, as SQLite's 0012: kept in its row beside the cursor and saved with
// it, so a restart or another node taking the notifier over goes on counting. Counts are bigint
// (a busy notifier could pass 2^31 in a few years) and so are the event ids, as every id here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifiers')
    .addColumn('status_delivered', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_failed_attempts', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_abandoned', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_last_error', 'text')
    .addColumn('status_last_error_at', 'text')
    .addColumn('status_last_delivered_at', 'text')
    .addColumn('status_last_delivered_id', 'bigint')
    .addColumn('status_last_abandoned_id', 'bigint')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifiers')
    .dropColumn('status_delivered')
    .dropColumn('status_failed_attempts')
    .dropColumn('status_abandoned')
    .dropColumn('status_last_error')
    .dropColumn('status_last_error_at')
    .dropColumn('status_last_delivered_at')
    .dropColumn('status_last_delivered_id')
    .dropColumn('status_last_abandoned_id')
    .execute();
}
