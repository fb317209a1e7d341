import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// KPIs (SPEC 13), as SQLite's 0011: each annunciation and ack stores what it is to the KPIs
// (`kpi_kind`: 0 an ack, 1-4 an annunciation of a low..critical rule; src/kpi/kpi-kind.ts) and
// its time in ms, and a partial index covers exactly those rows, so a period is an index-only
// scan (PostgreSQL would never scan an index on expressions of `payload` index-only). Adding
// nullable columns rewrites nothing; events journaled before are classified here, once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('kpi_kind', 'integer').execute();
  await db.schema.alterTable('events').addColumn('kpi_ms', 'bigint').execute();
  await sql`
    update events set
      kpi_kind = case when type = 'alarm_ack' then 0 else
        case payload::jsonb ->> 'severity' when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'critical' then 4 end end,
      kpi_ms = (extract(epoch from ts::timestamptz) * 1000)::bigint
    where type = 'alarm_ack'
       or (type = 'alarm_state'
           and payload::jsonb ->> 'previous_state' = 'OK'
           and payload::jsonb ->> 'state' in ('WARNING', 'ALARM', 'UNKNOWN')
           and coalesce(payload::jsonb ->> 'shelved', 'false') = 'false'
           and payload::jsonb ->> 'severity' in ('low', 'medium', 'high', 'critical'))`.execute(db);
  await sql`create index events_kpi on events (kpi_ms, rule_id, kpi_kind) where kpi_kind is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_kpi').execute();
  await db.schema.alterTable('events').dropColumn('kpi_ms').execute();
  await db.schema.alterTable('events').dropColumn('kpi_kind').execute();
}
