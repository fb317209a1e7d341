import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Alarm management (SPEC 13): a rule's designed suppression (JSON) and escalation period; an
// alarm's out-of-service (who, when, why) and escalation, stored with its state so that a
// restart or another node's take-over carries them on. Alarms unacknowledged before this
// migration count as unacknowledged since their last state change.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rules').addColumn('suppress_when', 'text').execute();
  await db.schema.alterTable('rules').addColumn('escalate_after_s', 'integer').execute();
  const columns: [string, 'text' | 'bigint'][] = [
    ['oos_since', 'bigint'],
    ['oos_user', 'text'],
    ['oos_comment', 'text'],
    ['unacked_since', 'bigint'],
    ['escalated_at', 'bigint'],
  ];
  for (const [name, type] of columns) await db.schema.alterTable('alarm_states').addColumn(name, type).execute();
  await db.schema
    .alterTable('alarm_states')
    .addColumn('escalation', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update alarm_states set unacked_since = since where acked = 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['oos_since', 'oos_user', 'oos_comment', 'unacked_since', 'escalated_at', 'escalation']) {
    await db.schema.alterTable('alarm_states').dropColumn(name).execute();
  }
  await db.schema.alterTable('rules').dropColumn('escalate_after_s').execute();
  await db.schema.alterTable('rules').dropColumn('suppress_when').execute();
}
