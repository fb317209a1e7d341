import * as v from 'valibot';
import type { ImportPlan, ImportStep } from './import-steps.js';
import { pointRef } from './point-refs.js';

/**
 * One change of an import as it is reported: what, which (by name: a datapoint's is
 * "<plc name>/<label>"), a rule's datapoint, the stored row's id (updates and deletes) and for
 * updates the fields, each as [before, after].
 */
export const ReportedChange = v.strictObject({
  action: v.picklist(['create', 'update', 'delete']),
  resource: v.picklist(['plc', 'datapoint', 'rule', 'notifier']),
  name: v.string(),
  datapoint: v.optional(v.string()),
  id: v.optional(v.number()),
  // [before, after]; a tuple's JSON Schema differs between drafts, a pair of length 2 does not
  changes: v.optional(v.record(v.string(), v.pipe(v.array(v.unknown()), v.length(2)))),
});
export type ReportedChange = v.InferOutput<typeof ReportedChange>;

/** The answer of an import, dry run or not (`PUT /api/config`, `alarmctl import`). */
export const ImportReport = v.strictObject({
  dry_run: v.boolean(),
  prune: v.boolean(),
  summary: v.strictObject({ create: v.number(), update: v.number(), delete: v.number(), unchanged: v.number() }),
  changes: v.array(ReportedChange),
});
export type ImportReport = v.InferOutput<typeof ImportReport>;

function named(step: ImportStep): Pick<ReportedChange, 'name' | 'datapoint'> {
  switch (step.resource) {
    case 'plc':
    case 'notifier':
      return { name: step.action === 'delete' ? step.before.name : step.input.name };
    case 'datapoint':
      return { name: pointRef(step.plc, step.action === 'delete' ? step.before.label : step.input.label) };
    case 'rule':
      return step.action === 'delete'
        ? { name: step.before.name, datapoint: step.datapoint }
        : { name: step.input.name, datapoint: step.input.datapoint };
  }
}

export function reportOf(plan: ImportPlan, options: { dryRun: boolean; prune: boolean }): ImportReport {
  const summary = { create: 0, update: 0, delete: 0, unchanged: plan.unchanged };
  const changes = plan.steps.map((step): ReportedChange => {
    summary[step.action]++;
    const change: ReportedChange = { action: step.action, resource: step.resource, ...named(step) };
    if (step.action !== 'create') change.id = step.before.id;
    if (step.action === 'update') change.changes = step.changes;
    return change;
  });
  return { dry_run: options.dryRun, prune: options.prune, summary, changes };
}
