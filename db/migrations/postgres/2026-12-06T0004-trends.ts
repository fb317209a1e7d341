import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Trends (SPEC 13), as SQLite's 0010: finished minutes keyed by minute first, packed into one
// row per datapoint and hour once the hour is over (src/trend/hour-pack.ts). A packed hour can
// pass 2 KB, where PostgreSQL would move it out of line into TOAST (floats do not compress):
// `storage main` keeps it in the row, so a 30-day read is 720 index lookups and no more.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trend_minutes')
    .addColumn('minute', 'integer', (c) => c.notNull())
    .addColumn('datapoint_id', 'bigint', (c) => c.notNull())
    .addColumn('min', 'double precision', (c) => c.notNull())
    .addColumn('max', 'double precision', (c) => c.notNull())
    .addColumn('avg', 'double precision', (c) => c.notNull())
    .addColumn('last', 'double precision', (c) => c.notNull())
    .addColumn('weight', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('trend_minutes_pk', ['minute', 'datapoint_id'])
    .execute();
  await db.schema
    .createTable('trend_hours')
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('datapoint_id', 'bigint', (c) => c.notNull())
    .addColumn('minutes', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('trend_hours_pk', ['hour', 'datapoint_id'])
    .execute();
  await sql`alter table trend_hours alter column minutes set storage main`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trend_hours').execute();
  await db.schema.dropTable('trend_minutes').execute();
}
