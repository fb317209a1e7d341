import { sql } from 'kysely';
import type { AlarmRecord } from '../engine/index.js';
import type { AlarmState } from '../kernel/enums.js';
import { sqliteHandle, type Db } from '../db/database.js';

/** Every stored alarm record, or those of `ruleIds`. */
export async function listAlarmStates(db: Db, ruleIds?: readonly number[]): Promise<AlarmRecord[]> {
  if (ruleIds?.length === 0) return [];
  let query = db.selectFrom('alarm_states').selectAll();
  if (ruleIds !== undefined) query = query.where('rule_id', 'in', [...ruleIds]);
  const rows = await query.execute();
  return rows.map((r) => ({
    rule_id: r.rule_id,
    state: r.state as AlarmState,
    acked: r.acked === 1,
    shelved_until: r.shelved_until,
    since: r.since,
    value: r.value,
    out_of_service: r.oos_since === null ? null : { since: r.oos_since, user: r.oos_user ?? '', comment: r.oos_comment ?? '' },
    escalation: r.escalation,
    unacked_since: r.unacked_since,
    escalated_at: r.escalated_at,
  }));
}

const COLUMNS =
  'rule_id, state, acked, shelved_until, since, value, oos_since, oos_user, oos_comment, escalation, unacked_since, escalated_at';
const UPDATE = COLUMNS.split(', ')
  .slice(1)
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/**
 * Stores records as they are now and forgets rules that are gone, with prepared statements;
 * run it inside a transaction (the journal's). SQLite only, and synchronous; PostgreSQL's
 * counterpart is `saveAlarmStatesPg`.
 */
export function alarmStateWriter(db: Db) {
  const sqlite = sqliteHandle(db);
  const upsert = sqlite.prepare(
    `insert into alarm_states (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (rule_id) do update set ${UPDATE}`,
  );
  const remove = sqlite.prepare('delete from alarm_states where rule_id = ?');
  return function saveAlarmStates(records: readonly AlarmRecord[], gone: readonly number[] = []): void {
    for (const r of records) {
      const oos = r.out_of_service;
      upsert.run(
        r.rule_id,
        r.state,
        r.acked ? 1 : 0,
        r.shelved_until,
        r.since,
        r.value,
        oos?.since ?? null,
        oos?.user ?? null,
        oos?.comment ?? null,
        r.escalation,
        r.unacked_since,
        r.escalated_at,
      );
    }
    for (const id of gone) remove.run(id);
  };
}

/**
 * PostgreSQL: stores records as they are now and forgets rules that are gone, in two statements
 * however many (a poll cycle may move thousands); run it inside the journal's transaction. As
 * with the SQLite writer, the last record of a rule wins and `gone` applies after `records`.
 */
export async function saveAlarmStatesPg(trx: Db, records: readonly AlarmRecord[], gone: readonly number[]): Promise<void> {
  // ON CONFLICT refuses to touch a row twice in one statement (21000): keep each rule's last.
  const latest = [...new Map(records.map((r) => [r.rule_id, r])).values()];
  if (latest.length > 0) {
    await sql`
      insert into alarm_states (${sql.raw(COLUMNS)})
      select * from unnest(
        ${latest.map((r) => r.rule_id)}::bigint[], ${latest.map((r) => r.state)}::text[],
        ${latest.map((r) => (r.acked ? 1 : 0))}::integer[], ${latest.map((r) => r.shelved_until)}::bigint[],
        ${latest.map((r) => r.since)}::bigint[], ${latest.map((r) => r.value)}::double precision[],
        ${latest.map((r) => r.out_of_service?.since ?? null)}::bigint[], ${latest.map((r) => r.out_of_service?.user ?? null)}::text[],
        ${latest.map((r) => r.out_of_service?.comment ?? null)}::text[], ${latest.map((r) => r.escalation)}::integer[],
        ${latest.map((r) => r.unacked_since)}::bigint[], ${latest.map((r) => r.escalated_at)}::bigint[])
      on conflict (rule_id) do update set ${sql.raw(UPDATE)}`.execute(trx);
  }
  if (gone.length > 0) await sql`delete from alarm_states where rule_id = any(${[...gone]}::bigint[])`.execute(trx);
}
