import { deleteDatapoints, insertDatapoints, updateDatapoint } from '../plant/datapoint-repository.js';
import type { Db } from '../db/database.js';
import type { NewEvent } from '../journal/events.js';
import { deleteNotifier, insertNotifier, updateNotifier } from '../notify/notifier-repository.js';
import { deletePlc, insertPlc, updatePlc } from '../plant/plc-repository.js';
import { deleteRules, insertRules, updateRule } from '../plant/rule-repository.js';
import { cursorAt } from '../notify/delivery-cursor.js';
import type { PlantChange } from '../plant/plant-context.js';
import type { Rule, RuleInput } from '../plant/rule.js';
import type { CurrentConfig } from './current-config.js';
import { eventOf, type Written } from './import-events.js';
import type { ImportPlan, ImportStep, RuleStep } from './import-steps.js';
import { pointKey, type PointKey } from './point-refs.js';

/** Who imports, when, and where in the journal a new notifier starts (with what happens next, as through REST). */
export interface ApplyContext {
  user: string | null;
  ts: string;
  journalHead: number;
}

/** What an applied plan leaves to do: the events to journal in its transaction, and whom to tell after the commit. */
export interface Applied {
  events: NewEvent[];
  changes: PlantChange[];
}

/** Names to ids, as they are and as the import's inserts add them. */
interface Ids {
  plcs: Map<string, number>;
  points: Map<PointKey, number>;
}

function idsOf(current: CurrentConfig): Ids {
  const plcNames = new Map(current.plcs.map((p) => [p.id, p.name]));
  return {
    plcs: new Map(current.plcs.map((p) => [p.name, p.id])),
    points: new Map(current.datapoints.map((d) => [pointKey(plcNames.get(d.plc_id)!, d.label), d.id])),
  };
}

/** A rule entry with its references turned into the ids they name now. */
function ruleInput(step: Extract<RuleStep, { action: 'create' | 'update' }>, ids: Ids): RuleInput {
  const { datapoint: _datapoint, suppress_when, ...fields } = step.input;
  return {
    ...fields,
    datapoint_id: ids.points.get(step.point)!,
    suppress_when: suppress_when && {
      datapoint_id: ids.points.get(step.suppressor!)!,
      comparison: suppress_when.comparison,
      value: suppress_when.value,
    },
  };
}

const only = <R extends ImportStep['resource'], A extends ImportStep['action']>(steps: ImportStep[], resource: R, action: A) =>
  steps.filter((s): s is Extract<ImportStep, { resource: R; action: A }> => s.resource === resource && s.action === action);

/**
 * Applies a plan in the caller's transaction through the repositories: deletes, then PLCs,
 * datapoints, rules and notifiers, the thousands of an import in bulk statements. Returns the
 * config events the REST API's services journal for the same changes, in the plan's order, and
 * the plant changes to tell once committed. `current` is what the plan was made against.
 */
export async function applyPlan(trx: Db, current: CurrentConfig, plan: ImportPlan, context: ApplyContext): Promise<Applied> {
  const { steps } = plan;
  const { ts } = context;
  const ids = idsOf(current);
  const written = new Map<ImportStep, Written>();

  await deleteRules(
    trx,
    only(steps, 'rule', 'delete').map((s) => s.before.id),
  );
  await deleteDatapoints(
    trx,
    only(steps, 'datapoint', 'delete').map((s) => s.before.id),
  );
  for (const s of only(steps, 'plc', 'delete')) await deletePlc(trx, s.before.id);
  for (const s of only(steps, 'notifier', 'delete')) await deleteNotifier(trx, s.before.id);

  for (const s of steps) {
    if (s.resource !== 'plc' || s.action === 'delete') continue;
    const plc = s.action === 'create' ? await insertPlc(trx, s.input, ts) : await updatePlc(trx, s.before.id, s.input, ts);
    ids.plcs.set(plc.name, plc.id);
    written.set(s, plc);
  }

  const newPoints = only(steps, 'datapoint', 'create');
  const points = await insertDatapoints(
    trx,
    newPoints.map((s) => ({ plc_id: ids.plcs.get(s.plc)!, ...s.input })),
    ts,
  );
  newPoints.forEach((s, i) => {
    ids.points.set(pointKey(s.plc, s.input.label), points[i]!.id);
    written.set(s, points[i]!);
  });
  for (const s of only(steps, 'datapoint', 'update'))
    written.set(s, await updateDatapoint(trx, s.before.id, { plc_id: s.before.plc_id, ...s.input }, ts));

  const newRules = only(steps, 'rule', 'create');
  const rules = await insertRules(
    trx,
    newRules.map((s) => ruleInput(s, ids)),
    ts,
  );
  newRules.forEach((s, i) => written.set(s, rules[i]!));
  for (const s of only(steps, 'rule', 'update')) written.set(s, await updateRule(trx, s.before.id, ruleInput(s, ids), ts));

  for (const s of only(steps, 'notifier', 'create')) written.set(s, await insertNotifier(trx, s.input, cursorAt(context.journalHead), ts));
  for (const s of only(steps, 'notifier', 'update')) {
    // Enabled again: it starts from now, as the REST update has it.
    const restart = !s.before.enabled && s.input.enabled ? cursorAt(context.journalHead) : undefined;
    written.set(s, await updateNotifier(trx, s.before.id, s.input, ts, restart));
  }

  const plcOfPoint = new Map(current.datapoints.map((d) => [d.id, d.plc_id]));
  for (const p of points) plcOfPoint.set(p.id, p.plc_id);
  const events = steps.map((s) => eventOf(s, written.get(s), { user: context.user, plcOfPoint }));
  return { events, changes: plantChangesOf(steps, written) };
}

/** What the engine and the poller are told: topology when PLCs or datapoints changed, and each rule. */
function plantChangesOf(steps: ImportStep[], written: Map<ImportStep, Written>): PlantChange[] {
  const changes: PlantChange[] = steps.some((s) => s.resource === 'plc' || s.resource === 'datapoint') ? [{ kind: 'topology' }] : [];
  for (const s of steps) {
    if (s.resource !== 'rule') continue;
    changes.push(
      s.action === 'delete' ? { kind: 'rule_deleted', ruleId: s.before.id } : { kind: 'rule_saved', rule: written.get(s) as Rule },
    );
  }
  return changes;
}
