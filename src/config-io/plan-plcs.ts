import type { ErrorDetail } from '../kernel/errors.js';
import { datapointProblems, type Datapoint } from '../plant/datapoint.js';
import type { CurrentConfig } from './current-config.js';
import { datapointEntryOf, plcEntryOf } from './file-form.js';
import { compared, emptyParts, type PlanParts } from './import-steps.js';
import type { PlcEntry } from './plant-file.js';
import { pointDirectory, type PointDirectory } from './point-refs.js';

export interface PlcPlan extends PlanParts {
  /** The datapoints there will be after the import: what its rules may name. */
  points: PointDirectory;
  /** Datapoints the import deletes; their rules go with them. */
  deletedPoints: ReadonlySet<number>;
}

/**
 * PLCs matched by name and datapoints by PLC name and label. With `prune`, PLCs the file does
 * not list are deleted with their datapoints, and so are the datapoints a listed PLC's list
 * leaves out; a PLC without a `datapoints` list keeps its own. No `plcs` section: no change.
 */
export function planPlcs(current: CurrentConfig, entries: PlcEntry[] | undefined, prune: boolean, problems: ErrorDetail[]): PlcPlan {
  const parts = emptyParts();
  const points = pointDirectory();
  const deletedPoints = new Set<number>();
  const plcByName = new Map(current.plcs.map((p) => [p.name, p]));
  const pointsOf = new Map<number, Datapoint[]>(current.plcs.map((p) => [p.id, []]));
  for (const d of current.datapoints) pointsOf.get(d.plc_id)?.push(d);

  const deletePoint = (plc: string, d: Datapoint) => {
    parts.deletes.push({ resource: 'datapoint', action: 'delete', plc, before: d });
    deletedPoints.add(d.id);
  };

  const listed = new Set<string>();
  for (const [i, entry] of (entries ?? []).entries()) {
    if (listed.has(entry.name)) {
      problems.push({ path: `plcs.${i}.name`, message: `PLC "${entry.name}" is listed twice` });
      continue;
    }
    listed.add(entry.name);
    const { datapoints, ...input } = entry;
    const before = plcByName.get(entry.name);
    const plc = compared(before && plcEntryOf(before), input);
    if (plc.action === 'create') parts.writes.push({ resource: 'plc', action: 'create', input });
    else if (plc.action === 'update')
      parts.writes.push({ resource: 'plc', action: 'update', before: before!, input, changes: plc.changes });
    else parts.unchanged++;

    const stored = before ? pointsOf.get(before.id)! : [];
    if (datapoints === undefined) {
      for (const d of stored) points.add(entry.name, d.label);
      continue;
    }
    const byLabel = new Map(stored.map((d) => [d.label, d]));
    const labels = new Set<string>();
    for (const [k, point] of datapoints.entries()) {
      const path = `plcs.${i}.datapoints.${k}`;
      if (labels.has(point.label)) {
        problems.push({ path: `${path}.label`, message: `label "${point.label}" is listed twice on PLC "${entry.name}"` });
        continue;
      }
      labels.add(point.label);
      for (const p of datapointProblems({ ...point, plc_id: 0 })) problems.push({ path: `${path}.${p.path}`, message: p.message });
      points.add(entry.name, point.label);
      const was = byLabel.get(point.label);
      const step = compared(was && datapointEntryOf(was), point);
      if (step.action === 'create') parts.writes.push({ resource: 'datapoint', action: 'create', plc: entry.name, input: point });
      else if (step.action === 'update')
        parts.writes.push({ resource: 'datapoint', action: 'update', plc: entry.name, before: was!, input: point, changes: step.changes });
      else parts.unchanged++;
    }
    for (const d of stored) {
      if (labels.has(d.label)) continue;
      if (prune) deletePoint(entry.name, d);
      else points.add(entry.name, d.label);
    }
  }

  for (const p of current.plcs) {
    if (listed.has(p.name)) continue;
    if (entries !== undefined && prune) {
      for (const d of pointsOf.get(p.id)!) deletePoint(p.name, d);
      parts.deletes.push({ resource: 'plc', action: 'delete', before: p });
    } else {
      for (const d of pointsOf.get(p.id)!) points.add(p.name, d.label);
    }
  }
  return { ...parts, points, deletedPoints };
}
