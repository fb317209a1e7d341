import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Notifiers (SPEC 14), as SQLite's 0008: `config` is JSON text with the secret, the cursor two
// event ids (bigint, as every id here). Which node delivers for a notifier is a session
// advisory lock (src/notify/notifier-leases.ts), not a column.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifiers')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('cursor_through', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cursor_replay_from', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifiers').execute();
}
