import type { AlarmRecord, AlarmState } from '../engine/index.js';
import type { Db } from './database.js';

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

/** Stores the records as they are now, in the caller's transaction. */
export async function saveAlarmStates(db: Db, records: AlarmRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db
    .insertInto('alarm_states')
    .values(records.map((r) => ({ ...r, acked: r.acked ? 1 : 0 })))
    .onConflict((oc) =>
      oc.column('rule_id').doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        acked: eb.ref('excluded.acked'),
        shelved_until: eb.ref('excluded.shelved_until'),
        since: eb.ref('excluded.since'),
        value: eb.ref('excluded.value'),
      })),
    )
    .execute();
}

export async function deleteAlarmStates(db: Db, ruleIds: number[]): Promise<void> {
  if (ruleIds.length > 0) await db.deleteFrom('alarm_states').where('rule_id', 'in', ruleIds).execute();
}
