import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// A notifier's status counters (SPEC 14) are kept in its row beside the cursor and saved with it
// (src/notify/notifier-repository.ts), so a restart goes on counting instead of starting from 0.
// Counts start at 0; the last error, times (ISO text) and event ids are null until there is one.
// One column a statement: SQLite's ALTER TABLE adds one at a time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifiers')
    .addColumn('status_delivered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('notifiers')
    .addColumn('status_failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('notifiers')
    .addColumn('status_abandoned', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('notifiers').addColumn('status_last_error', 'text').execute();
  await db.schema.alterTable('notifiers').addColumn('status_last_error_at', 'text').execute();
  await db.schema.alterTable('notifiers').addColumn('status_last_delivered_at', 'text').execute();
  await db.schema.alterTable('notifiers').addColumn('status_last_delivered_id', 'integer').execute();
  await db.schema.alterTable('notifiers').addColumn('status_last_abandoned_id', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifiers').dropColumn('status_last_abandoned_id').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_last_delivered_id').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_last_delivered_at').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_last_error_at').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_last_error').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_abandoned').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_failed_attempts').execute();
  await db.schema.alterTable('notifiers').dropColumn('status_delivered').execute();
}
