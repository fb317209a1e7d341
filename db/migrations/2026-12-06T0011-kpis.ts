import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// KPIs (SPEC 13) over a million events must not parse a million payloads. The journal now
// stores, beside each annunciation and ack, what it is to the KPIs (`kpi_kind`: 0 an ack, 1-4 an
// annunciation of a low..critical rule; src/kpi/kpi-kind.ts) and its time in ms, and a partial
// index covers exactly those rows: a period is one range scan of it. Appended in time order, the
// index grows at its right edge, so journal writes stay as cheap as before. Events journaled
// before this migration are classified here, once, as the journal would have.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('kpi_kind', 'integer').execute();
  await db.schema.alterTable('events').addColumn('kpi_ms', 'integer').execute();
  await sql`
    update events set
      kpi_kind = case when type = 'alarm_ack' then 0 else
        case json_extract(payload, '$.severity') when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'critical' then 4 end end,
      kpi_ms = cast(round((julianday(ts) - 2440587.5) * 86400000.0) as integer)
    where type = 'alarm_ack'
       or (type = 'alarm_state'
           and json_extract(payload, '$.previous_state') = 'OK'
           and json_extract(payload, '$.state') in ('WARNING', 'ALARM', 'UNKNOWN')
           and coalesce(json_extract(payload, '$.shelved'), 0) = 0
           and json_extract(payload, '$.severity') in ('low', 'medium', 'high', 'critical'))`.execute(db);
  await sql`create index events_kpi on events (kpi_ms, rule_id, kpi_kind) where kpi_kind is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_kpi').execute();
  await db.schema.alterTable('events').dropColumn('kpi_ms').execute();
  await db.schema.alterTable('events').dropColumn('kpi_kind').execute();
}
