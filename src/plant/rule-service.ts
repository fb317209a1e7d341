import { findDatapoint } from '../db/datapoints.js';
import type { Db } from '../db/database.js';
import { deleteRule, findRule, insertRule, listRules, updateRule } from '../db/rules.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { NewEvent } from '../db/events.js';
import { configEvent, type PlantContext } from './plant-context.js';
import { ruleProblems, type Rule, type RuleInput, type RulePatchInput } from './rule.js';

async function checkRule(db: Db, r: RuleInput) {
  const problems = ruleProblems(r);
  if (problems.length > 0) throw new AppError('invalid_request', 'Invalid rule', problems);
  if (!(await findDatapoint(db, r.datapoint_id))) throw invalid('datapoint_id', `no datapoint with id ${r.datapoint_id}`);
}

/** Deletes rules in the caller's transaction and returns their events; used by cascades too. */
export async function deleteRulesOf(db: Db, rules: Rule[]): Promise<NewEvent[]> {
  for (const rule of rules) await deleteRule(db, rule.id);
  return rules.map((rule) => configEvent('rule', 'deleted', rule));
}

/** Rule CRUD; every change is journaled and handed to the engine after the commit. */
export function ruleService({ db, journal, changed }: PlantContext) {
  return {
    list: (datapointId?: number) => listRules(db, { datapointId }),

    async get(id: number): Promise<Rule> {
      return (await findRule(db, id)) ?? Promise.reject(notFound('rule'));
    },

    async create(input: RuleInput): Promise<Rule> {
      const rule = await journal.record(async (trx, ts) => {
        await checkRule(trx, input);
        const rule = await insertRule(trx, input, ts);
        return { result: rule, events: [configEvent('rule', 'created', rule)] };
      });
      changed([{ kind: 'rule_saved', rule }]);
      return rule;
    },

    async update(id: number, patch: RulePatchInput): Promise<Rule> {
      const rule = await journal.record(async (trx, ts) => {
        const current = await findRule(trx, id);
        if (!current) throw notFound('rule');
        const merged = { ...current, ...patch };
        await checkRule(trx, merged);
        const rule = await updateRule(trx, id, merged, ts);
        return { result: rule, events: [configEvent('rule', 'updated', rule)] };
      });
      changed([{ kind: 'rule_saved', rule }]);
      return rule;
    },

    async remove(id: number): Promise<void> {
      await journal.record(async (trx, ts) => {
        const rule = await findRule(trx, id);
        if (!rule) throw notFound('rule');
        return { result: undefined, events: await deleteRulesOf(trx, [rule]) };
      });
      changed([{ kind: 'rule_deleted', ruleId: id }]);
    },
  };
}

export type RuleService = ReturnType<typeof ruleService>;
