import { onUniqueViolation } from '../db/constraint.js';
import { deleteDatapoint, findDatapoint, insertDatapoint, listDatapoints, updateDatapoint } from './datapoint-repository.js';
import type { Db } from '../db/database.js';
import type { NewEvent } from '../journal/events.js';
import { findPlc } from './plc-repository.js';
import { listRules } from './rule-repository.js';
import { AppError, conflict, invalid, notFound } from '../kernel/errors.js';
import { datapointProblems, type Datapoint, type DatapointInput, type DatapointPatchInput } from './datapoint.js';
import { configEvent, type PlantChange, type PlantContext } from './plant-context.js';
import { deleteRulesOf } from './rule-service.js';

async function checkDatapoint(db: Db, d: DatapointInput) {
  const problems = datapointProblems(d);
  if (problems.length > 0) throw new AppError('invalid_request', 'Invalid datapoint', problems);
  if (!(await findPlc(db, d.plc_id))) throw invalid('plc_id', `no PLC with id ${d.plc_id}`);
}

const duplicateLabel = (d: DatapointInput) => () => conflict(`PLC ${d.plc_id} already has a datapoint labelled "${d.label}"`);

/** Deletes datapoints and their rules in the caller's transaction; used by the PLC cascade too. */
export async function deleteDatapointsOf(
  db: Db,
  datapoints: Datapoint[],
  user: string | null,
): Promise<{ events: NewEvent[]; changes: PlantChange[] }> {
  const events: NewEvent[] = [];
  const changes: PlantChange[] = [{ kind: 'topology' }];
  for (const d of datapoints) {
    const rules = await listRules(db, { datapointId: d.id });
    events.push(...(await deleteRulesOf(db, rules, { user, plc_id: d.plc_id })));
    changes.push(...rules.map((r) => ({ kind: 'rule_deleted' as const, ruleId: r.id })));
    await deleteDatapoint(db, d.id);
    events.push(configEvent('datapoint', 'deleted', d, { user }));
  }
  return { events, changes };
}

/** Datapoint CRUD; deleting a datapoint deletes its rules, each with its own event. */
export function datapointService({ db, journal, changed }: PlantContext) {
  return {
    list: (plcId?: number) => listDatapoints(db, { plcId }),

    async get(id: number): Promise<Datapoint> {
      return (await findDatapoint(db, id)) ?? Promise.reject(notFound('datapoint'));
    },

    async create(input: DatapointInput, user: string | null = null): Promise<Datapoint> {
      const datapoint = await journal.record(async (trx, ts) => {
        await checkDatapoint(trx, input);
        const d = await onUniqueViolation(insertDatapoint(trx, input, ts), duplicateLabel(input));
        return { result: d, events: [configEvent('datapoint', 'created', d, { user })] };
      });
      changed([{ kind: 'topology' }]);
      return datapoint;
    },

    async update(id: number, patch: DatapointPatchInput, user: string | null = null): Promise<Datapoint> {
      const datapoint = await journal.record(async (trx, ts) => {
        const current = await findDatapoint(trx, id);
        if (!current) throw notFound('datapoint');
        const merged = { ...current, ...patch };
        await checkDatapoint(trx, merged);
        const d = await onUniqueViolation(updateDatapoint(trx, id, merged, ts), duplicateLabel(merged));
        return { result: d, events: [configEvent('datapoint', 'updated', d, { user, before: current })] };
      });
      changed([{ kind: 'topology' }]);
      return datapoint;
    },

    async remove(id: number, user: string | null = null): Promise<void> {
      const changes = await journal.record(async (trx, _ts) => {
        const d = await findDatapoint(trx, id);
        if (!d) throw notFound('datapoint');
        const { events, changes } = await deleteDatapointsOf(trx, [d], user);
        return { result: changes, events };
      });
      changed(changes);
    },
  };
}

export type DatapointService = ReturnType<typeof datapointService>;
