import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Trends (SPEC 13). Finished minutes land in `trend_minutes`, keyed by minute first: a minute's
// rows for every datapoint append at the end of the tree (keyed by datapoint first, each write
// touched one page per datapoint and slowed from 0.25 to 2 s per 100k rows within 30 minutes).
// Each finished hour is then packed into one `trend_hours` row per datapoint
// (src/trend/hour-pack.ts), so a 30-day read is 720 index lookups rather than 43,200. That
// table keeps its rowid: in a WITHOUT ROWID table a 2 KB blob spills onto overflow pages
// (59 ms for the 720 rows against 11 ms). No foreign keys: a deleted datapoint's trend ages out.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trend_minutes')
    .addColumn('minute', 'integer', (c) => c.notNull())
    .addColumn('datapoint_id', 'integer', (c) => c.notNull())
    .addColumn('min', 'real', (c) => c.notNull())
    .addColumn('max', 'real', (c) => c.notNull())
    .addColumn('avg', 'real', (c) => c.notNull())
    .addColumn('last', 'real', (c) => c.notNull())
    .addColumn('weight', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('trend_minutes_pk', ['minute', 'datapoint_id'])
    .modifyEnd(sql`without rowid`)
    .execute();
  await db.schema
    .createTable('trend_hours')
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('datapoint_id', 'integer', (c) => c.notNull())
    .addColumn('minutes', 'blob', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trend_hours_key').unique().on('trend_hours').columns(['hour', 'datapoint_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trend_hours').execute();
  await db.schema.dropTable('trend_minutes').execute();
}
