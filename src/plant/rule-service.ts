import { findDatapoint } from './datapoint-repository.js';
import type { Db } from '../db/database.js';
import { deleteRule, findRule, insertRule, listRules, updateRule } from './rule-repository.js';
import { AppError, invalid, notFound } from '../kernel/errors.js';
import type { NewEvent } from '../journal/events.js';
import { configEvent, type Audit, type PlantContext } from './plant-context.js';
import { ruleProblems, type Rule, type RuleInput, type RulePatchInput } from './rule.js';

/** Checks the rule and returns the PLC its datapoint is on (config events name it). */
async function checkRule(db: Db, r: RuleInput): Promise<number> {
  const problems = ruleProblems(r);
  if (problems.length > 0) throw new AppError('invalid_request', 'Invalid rule', problems);
  const point = await findDatapoint(db, r.datapoint_id);
  if (!point) throw invalid('datapoint_id', `no datapoint with id ${r.datapoint_id}`);
  const suppressor = r.suppress_when?.datapoint_id;
  if (suppressor !== undefined && !(await findDatapoint(db, suppressor))) {
    throw invalid('suppress_when.datapoint_id', `no datapoint with id ${suppressor}`);
  }
  return point.plc_id;
}

/** Deletes rules in the caller's transaction and returns their events; used by cascades too. */
export async function deleteRulesOf(db: Db, rules: Rule[], audit: Audit): Promise<NewEvent[]> {
  for (const rule of rules) await deleteRule(db, rule.id);
  return rules.map((rule) => configEvent('rule', 'deleted', rule, audit));
}

/** Rule CRUD; every change is journaled and handed to the engine after the commit. */
export function ruleService({ db, journal, changed }: PlantContext) {
  return {
    list: (datapointId?: number) => listRules(db, { datapointId }),

    async get(id: number): Promise<Rule> {
      return (await findRule(db, id)) ?? Promise.reject(notFound('rule'));
    },

    async create(input: RuleInput, user: string | null = null): Promise<Rule> {
      const rule = await journal.record(async (trx, ts) => {
        const plc_id = await checkRule(trx, input);
        const rule = await insertRule(trx, input, ts);
        return { result: rule, events: [configEvent('rule', 'created', rule, { user, plc_id })] };
      });
      changed([{ kind: 'rule_saved', rule }]);
      return rule;
    },

    async update(id: number, patch: RulePatchInput, user: string | null = null): Promise<Rule> {
      const rule = await journal.record(async (trx, ts) => {
        const current = await findRule(trx, id);
        if (!current) throw notFound('rule');
        const merged = { ...current, ...patch };
        const plc_id = await checkRule(trx, merged);
        const rule = await updateRule(trx, id, merged, ts);
        return { result: rule, events: [configEvent('rule', 'updated', rule, { user, plc_id, before: current })] };
      });
      changed([{ kind: 'rule_saved', rule }]);
      return rule;
    },

    async remove(id: number, user: string | null = null): Promise<void> {
      await journal.record(async (trx, _ts) => {
        const rule = await findRule(trx, id);
        if (!rule) throw notFound('rule');
        const plc_id = (await findDatapoint(trx, rule.datapoint_id))?.plc_id ?? null;
        return { result: undefined, events: await deleteRulesOf(trx, [rule], { user, plc_id }) };
      });
      changed([{ kind: 'rule_deleted', ruleId: id }]);
    },
  };
}

export type RuleService = ReturnType<typeof ruleService>;
