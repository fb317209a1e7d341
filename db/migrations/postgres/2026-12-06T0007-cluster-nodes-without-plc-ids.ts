import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Who polls which PLC is read from the lease locks themselves (cluster/membership.ts): a copy in
// cluster_nodes was never written and could only disagree with them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cluster_nodes').dropColumn('plc_ids').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cluster_nodes')
    .addColumn('plc_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
