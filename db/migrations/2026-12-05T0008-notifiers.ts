import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Notifiers (SPEC 14). `config` is the settings as JSON text, the webhook secret included (it is
// write-only in the API, never in an event). The outbox is the journal itself: each notifier's
// cursor is two event ids (src/notify/delivery-cursor.ts), saved after every delivery.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifiers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('cursor_through', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cursor_replay_from', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifiers').execute();
}
