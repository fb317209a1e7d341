import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// How many requests the poller may have outstanding on one PLC's connection. 1 (one request,
// then its reply) is what every Modbus TCP device handles; gateways and PLCs that queue
// requests by transaction id can take more, which pays off on links with a long round trip.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plcs')
    .addColumn('max_in_flight', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('plcs').dropColumn('max_in_flight').execute();
}
