import { type Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'text', (c) => c.notNull().unique().modifyEnd(sql`collate nocase`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('plcs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('unit_id', 'integer', (c) => c.notNull())
    .addColumn('poll_interval_ms', 'integer', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('datapoints')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('plc_id', 'integer', (c) => c.notNull().references('plcs.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull())
    .addColumn('address', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('word_order', 'text', (c) => c.notNull())
    .addColumn('scale', 'real', (c) => c.notNull())
    .addColumn('offset', 'real', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('datapoints_plc_label', ['plc_id', 'label'])
    .execute();

  await db.schema
    .createTable('rules')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('datapoint_id', 'integer', (c) => c.notNull().references('datapoints.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('comparison', 'text', (c) => c.notNull())
    .addColumn('warning_threshold', 'real')
    .addColumn('alarm_threshold', 'real')
    .addColumn('deadband', 'real', (c) => c.notNull())
    .addColumn('on_delay_ms', 'integer', (c) => c.notNull())
    .addColumn('off_delay_ms', 'integer', (c) => c.notNull())
    .addColumn('schedule', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rules_datapoint').on('rules').column('datapoint_id').execute();

  // AUTOINCREMENT: ids are never reused, even after the newest events are pruned,
  // so a client's last_event_id stays meaningful across restarts.
  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer')
    .addColumn('rule_id', 'integer')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_rule').on('events').columns(['rule_id', 'id']).execute();
  await db.schema.createIndex('events_ts').on('events').column('ts').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['events', 'rules', 'datapoints', 'plcs', 'users', 'settings']) {
    await db.schema.dropTable(table).execute();
  }
}
