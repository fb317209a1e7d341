import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Personal alarms and timers (SPEC 8). Ids are client-chosen UUIDs, global across users.
// Deleting keeps a tombstone row so devices that sync later learn of it. `seq` orders the
// change feed: every change takes the next number, so `?since=<seq>` is a per-user cursor.
// `next_due_at` (ms) is when the item next fires, kept on every write and fire, so the
// scheduler needs one indexed lookup; `last_due_at` is the due instant it last fired for,
// so a restart neither loses nor repeats a firing. No foreign key to users: deleting a
// user must not fail on their items.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('alarm', 'text')
    .addColumn('timer', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('next_due_at', 'integer')
    .addColumn('last_due_at', 'integer')
    .execute();
  await db.schema.createIndex('items_owner_seq').on('items').columns(['owner_id', 'seq']).execute();
  await db.schema.createIndex('items_next_due').on('items').column('next_due_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('items').execute();
}
