import type { Selectable } from 'kysely';
import type { Rule, RuleInput, RuleSchedule, SuppressWhen } from './rule.js';
import { inValuesOrder, slices } from '../db/bulk.js';
import type { Db } from '../db/database.js';
import type { RulesTable } from '../db/schema.js';

const toRule = (r: Selectable<RulesTable>): Rule => ({
  id: r.id,
  datapoint_id: r.datapoint_id,
  name: r.name,
  severity: r.severity as Rule['severity'],
  comparison: r.comparison as Rule['comparison'],
  warning_threshold: r.warning_threshold,
  alarm_threshold: r.alarm_threshold,
  deadband: r.deadband,
  on_delay_ms: r.on_delay_ms,
  off_delay_ms: r.off_delay_ms,
  schedule: r.schedule === null ? null : (JSON.parse(r.schedule) as RuleSchedule),
  enabled: r.enabled === 1,
  suppress_when: r.suppress_when === null ? null : (JSON.parse(r.suppress_when) as SuppressWhen),
  escalate_after_s: r.escalate_after_s,
});

const toRow = (r: RuleInput) => ({
  ...r,
  schedule: r.schedule === null ? null : JSON.stringify(r.schedule),
  enabled: r.enabled ? 1 : 0,
  suppress_when: r.suppress_when === null ? null : JSON.stringify(r.suppress_when),
});

export async function listRules(db: Db, filter: { datapointId?: number | undefined; ids?: readonly number[] } = {}): Promise<Rule[]> {
  if (filter.ids?.length === 0) return [];
  let query = db.selectFrom('rules').selectAll().orderBy('id');
  if (filter.datapointId !== undefined) query = query.where('datapoint_id', '=', filter.datapointId);
  if (filter.ids !== undefined) query = query.where('id', 'in', [...filter.ids]);
  return (await query.execute()).map(toRule);
}

export async function findRule(db: Db, id: number): Promise<Rule | undefined> {
  const row = await db.selectFrom('rules').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRule(row);
}

export async function insertRule(db: Db, r: RuleInput, now: string): Promise<Rule> {
  const row = await db
    .insertInto('rules')
    .values({ ...toRow(r), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRule(row);
}

export async function updateRule(db: Db, id: number, r: RuleInput, now: string): Promise<Rule> {
  const row = await db
    .updateTable('rules')
    .set({ ...toRow(r), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRule(row);
}

export async function deleteRule(db: Db, id: number): Promise<void> {
  await db.deleteFrom('rules').where('id', '=', id).execute();
}

/** Many rules in a few statements (an import), returned in input order. */
export async function insertRules(db: Db, inputs: readonly RuleInput[], now: string): Promise<Rule[]> {
  const stored: Rule[] = [];
  for (const slice of slices(inputs)) {
    const rows = await db
      .insertInto('rules')
      .values(slice.map((r) => ({ ...toRow(r), created_at: now, updated_at: now })))
      .returningAll()
      .execute();
    for (const row of inValuesOrder(slice, rows, (r, s) => r.datapoint_id === s.datapoint_id && r.name === s.name))
      stored.push(toRule(row));
  }
  return stored;
}

export async function deleteRules(db: Db, ids: readonly number[]): Promise<void> {
  for (const slice of slices(ids)) await db.deleteFrom('rules').where('id', 'in', slice).execute();
}
