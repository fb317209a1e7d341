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

/**
 * Stores records as they are now and forgets rules that are gone, with prepared statements;
 * run it inside a transaction (the journal's).
 */
export function alarmStateWriter(db: Db) {
  const sqlite = sqliteHandle(db);
  const upsert = sqlite.prepare(
    `insert into alarm_states (rule_id, state, acked, shelved_until, since, value) values (?, ?, ?, ?, ?, ?)
     on conflict (rule_id) do update set state = excluded.state, acked = excluded.acked,
       shelved_until = excluded.shelved_until, since = excluded.since, value = excluded.value`,
  );
  const remove = sqlite.prepare('delete from alarm_states where rule_id = ?');
  return function saveAlarmStates(records: readonly AlarmRecord[], gone: readonly number[] = []): void {
    for (const r of records) upsert.run(r.rule_id, r.state, r.acked ? 1 : 0, r.shelved_until, r.since, r.value);
    for (const id of gone) remove.run(id);
  };
}
