import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// History by rule used an index on (rule_id, id). A poll cycle that moves 1000 rules inserts
// into 1000 places of that index, so once it has grown every commit rewrote ~1000 pages (4 MB
// of WAL), and the journal fell from 100k to 35k transitions/s within 300k events. Keyed by
// the block of 4096 ids first, a cycle's entries land in one or two small blocks; history by
// rule then walks the blocks (src/db/events.ts). 4096 keeps a cycle's writes to a few dozen
// pages and a 10M-event journal to ~2,500 blocks.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_rule').execute();
  await sql`create index events_rule on events ((id >> 12), rule_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_rule').execute();
  await db.schema.createIndex('events_rule').on('events').columns(['rule_id', 'id']).execute();
}
