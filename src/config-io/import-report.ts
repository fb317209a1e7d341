import type { FieldChanges, ImportPlan, ImportStep } from './import-steps.js';
import { pointRef } from './point-refs.js';

/** One change of an import as it is reported: what, which (by name), and for updates the fields. */
export interface ReportedChange {
  action: 'create' | 'update' | 'delete';
  resource: 'plc' | 'datapoint' | 'rule' | 'notifier';
  /** A datapoint's is "<plc name>/<label>". */
  name: string;
  /** A rule's datapoint. */
  datapoint?: string;
  /** The stored row's id (updates and deletes). */
  id?: number;
  changes?: FieldChanges;
}

/** The answer of an import, dry run or not (`PUT /api/config`, `alarmctl import`). */
export interface ImportReport {
  dry_run: boolean;
  prune: boolean;
  summary: { create: number; update: number; delete: number; unchanged: number };
  changes: ReportedChange[];
}

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
