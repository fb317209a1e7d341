import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Suppression lives in the engine of the node that runs a rule and is not a stored state: each
// node publishes its suppressed rules with its heartbeat, so any node can list them all (SPEC 13).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cluster_nodes')
    .addColumn('suppressed', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cluster_nodes').dropColumn('suppressed').execute();
}
