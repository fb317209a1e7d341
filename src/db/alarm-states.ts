import type { AlarmRecord, AlarmState } from '../engine/index.js';
import { sqliteHandle, type Db } from './database.js';

export async function listAlarmStates(db: Db): Promise<AlarmRecord[]> {
  const rows = await db.selectFrom('alarm_states').selectAll().execute();
  return rows.map((r) => ({
    rule_id: r.rule_id,
    state: r.state as AlarmState,
    acked: r.acked === 1,
    shelved_until: r.shelved_until,
    since: r.since,
    value: r.value,
  }));
}

/** Stores records as they are now with one prepared upsert; run it inside a transaction. */
export function alarmStateWriter(db: Db) {
  const upsert = sqliteHandle(db).prepare(
    `insert into alarm_states (rule_id, state, acked, shelved_until, since, value) values (?, ?, ?, ?, ?, ?)
     on conflict (rule_id) do update set state = excluded.state, acked = excluded.acked,
       shelved_until = excluded.shelved_until, since = excluded.since, value = excluded.value`,
  );
  return function saveAlarmStates(records: readonly AlarmRecord[]): void {
    for (const r of records) upsert.run(r.rule_id, r.state, r.acked ? 1 : 0, r.shelved_until, r.since, r.value);
  };
}

export async function deleteAlarmStates(db: Db, ruleIds: number[]): Promise<void> {
  if (ruleIds.length > 0) await db.deleteFrom('alarm_states').where('rule_id', 'in', ruleIds).execute();
}
