import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// One row per rule that has left OK at least once: restored at start-up so a restart neither
// loses an unacked alarm nor re-announces a standing one. No foreign key: the row outlives
// its rule until the `deleted` transition is journaled.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alarm_states')
    .addColumn('rule_id', 'integer', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('acked', 'integer', (c) => c.notNull())
    .addColumn('shelved_until', 'integer')
    .addColumn('since', 'integer', (c) => c.notNull())
    .addColumn('value', 'real')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alarm_states').execute();
}
