import { type Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// The schema of the seven SQLite migrations (db/migrations/) as of 0007, for PostgreSQL, plus
// the tables a cluster shares. Columns keep their names and JS types: booleans are integer 0/1,
// JSON and ISO times are text, ms times are bigint (read as numbers, src/db/postgres.ts).
// Ids and the columns that hold them are bigint, not integer: the API accepts ids up to 16
// digits, and `id = 3000000000` against an integer column is an error (22003), not a miss.
// Identity columns never reuse an id, as SQLite's AUTOINCREMENT does not.
export async function up(db: Kysely<any>): Promise<void> {
  // citext: usernames compare ignoring case, as SQLite's `collate nocase` does, for the unique
  // constraint and for a plain `where username = $1` alike. Trusted since PostgreSQL 13, so the
  // database's owner may create it.
  await sql`create extension if not exists citext`.execute(db);

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('username', sql`citext`, (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('plcs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('unit_id', 'integer', (c) => c.notNull())
    .addColumn('poll_interval_ms', 'integer', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('max_in_flight', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('datapoints')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('plc_id', 'bigint', (c) => c.notNull().references('plcs.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull())
    .addColumn('address', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('word_order', 'text', (c) => c.notNull())
    .addColumn('scale', 'double precision', (c) => c.notNull())
    .addColumn('offset', 'double precision', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('datapoints_plc_label', ['plc_id', 'label'])
    .execute();

  await db.schema
    .createTable('rules')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('datapoint_id', 'bigint', (c) => c.notNull().references('datapoints.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('comparison', 'text', (c) => c.notNull())
    .addColumn('warning_threshold', 'double precision')
    .addColumn('alarm_threshold', 'double precision')
    .addColumn('deadband', 'double precision', (c) => c.notNull())
    .addColumn('on_delay_ms', 'integer', (c) => c.notNull())
    .addColumn('off_delay_ms', 'integer', (c) => c.notNull())
    .addColumn('schedule', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rules_datapoint').on('rules').column('datapoint_id').execute();

  // `ts` (and items.updated_at) compare as bytes, as in SQLite: range filters on ISO times must
  // not depend on the database's locale.
  await db.schema
    .createTable('events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'bigint')
    .addColumn('rule_id', 'bigint')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('ts', sql`text collate "C"`, (c) => c.notNull())
    .execute();
  // SQLite's block index (migration 0004) works around its page writes; a b-tree on
  // (rule_id, id) serves history by rule directly here.
  await db.schema.createIndex('events_rule').on('events').columns(['rule_id', 'id']).execute();
  await db.schema.createIndex('events_ts').on('events').column('ts').execute();

  // No foreign key: the row outlives its rule until the `deleted` transition is journaled.
  await db.schema
    .createTable('alarm_states')
    .addColumn('rule_id', 'bigint', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('acked', 'integer', (c) => c.notNull())
    .addColumn('shelved_until', 'bigint')
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .execute();

  // No foreign key to users: deleting a user must not fail on their items.
  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('alarm', 'text')
    .addColumn('timer', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .addColumn('next_due_at', 'bigint')
    .addColumn('last_due_at', 'bigint')
    .execute();
  await db.schema.createIndex('items_owner_seq').on('items').columns(['owner_id', 'seq']).execute();
  await db.schema.createIndex('items_next_due').on('items').column('next_due_at').execute();

  // rate-limiter-flexible's RateLimiterPostgres table, as its _getCreateTableStmt() makes it:
  // created here so that limiters run with `tableCreated: true` and nodes never race to create it.
  await sql`create table rate_limits (key varchar(255) primary key, points integer not null default 0, expire bigint)`.execute(db);

  // One-time stream tickets, valid on any node (times in ms).
  await db.schema
    .createTable('stream_tickets')
    .addColumn('ticket', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('token_version', 'integer', (c) => c.notNull())
    .addColumn('session_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  // The live nodes and the PLCs each polls (`plc_ids`: a JSON array).
  await db.schema
    .createTable('cluster_nodes')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen', 'timestamptz', (c) => c.notNull())
    .addColumn('plc_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    'cluster_nodes',
    'stream_tickets',
    'rate_limits',
    'items',
    'alarm_states',
    'events',
    'rules',
    'datapoints',
    'plcs',
    'users',
    'settings',
  ];
  for (const table of tables) await db.schema.dropTable(table).execute();
}
