import type { ErrorDetail } from '../kernel/errors.js';
import { ruleProblems, type Rule } from '../plant/rule.js';
import type { CurrentConfig } from './current-config.js';
import { pointRefs, ruleEntryOf } from './file-form.js';
import { compared, emptyParts, type PlanParts } from './import-steps.js';
import type { PlcPlan } from './plan-plcs.js';
import type { RuleEntry } from './plant-file.js';
import { pointKey, type PointDirectory, type PointKey } from './point-refs.js';

/** Rule names are not unique, not even on one datapoint: a rule is matched by its datapoint and name. */
const matchKey = (point: PointKey, name: string) => `${point}\u0000${name}`;

/** The datapoint a reference names, or undefined with the problem noted. */
function resolve(points: PointDirectory, ref: string, path: string, problems: ErrorDetail[]): PointKey | undefined {
  const resolved = points.resolve(ref);
  if ('key' in resolved) return resolved.key;
  problems.push({ path, message: resolved.problem });
  return undefined;
}

/** The cross-field checks of the REST API, with stand-in ids for datapoints that may not exist yet. */
function problemsOf(entry: RuleEntry, point: PointKey, suppressor: PointKey | null, idOf: (key: PointKey) => number): ErrorDetail[] {
  const { datapoint: _datapoint, suppress_when, ...fields } = entry;
  const input = {
    ...fields,
    datapoint_id: idOf(point),
    suppress_when: suppress_when && { datapoint_id: idOf(suppressor!), comparison: suppress_when.comparison, value: suppress_when.value },
  };
  return ruleProblems(input).map((p) => ({ path: p.path.replace('datapoint_id', 'datapoint'), message: p.message }));
}

/**
 * Rules matched by datapoint and name; several of one datapoint and name pair up in order (the
 * file's against id order). Rules of deleted datapoints are deleted whatever the file says;
 * with `prune`, so are rules the file does not list. No `rules` section: no other change.
 */
export function planRules(
  current: CurrentConfig,
  entries: RuleEntry[] | undefined,
  prune: boolean,
  plcs: PlcPlan,
  problems: ErrorDetail[],
): PlanParts {
  const parts = emptyParts();
  const refs = pointRefs(current);
  const plcNames = new Map(current.plcs.map((p) => [p.id, p.name]));
  const keys = new Map(current.datapoints.map((d) => [d.id, pointKey(plcNames.get(d.plc_id)!, d.label)]));
  const deleteRule = (r: Rule) =>
    parts.deletes.push({ resource: 'rule', action: 'delete', before: r, datapoint: refs.get(r.datapoint_id)! });

  const unmatched = new Map<string, Rule[]>();
  for (const r of current.rules) {
    if (plcs.deletedPoints.has(r.datapoint_id)) deleteRule(r);
    else {
      const key = matchKey(keys.get(r.datapoint_id)!, r.name);
      const same = unmatched.get(key);
      if (same) same.push(r);
      else unmatched.set(key, [r]);
    }
  }
  if (entries === undefined) return parts;

  const standIns = new Map<PointKey, number>();
  const idOf = (key: PointKey) => standIns.get(key) ?? (standIns.set(key, standIns.size + 1), standIns.size);
  for (const [i, entry] of entries.entries()) {
    const point = resolve(plcs.points, entry.datapoint, `rules.${i}.datapoint`, problems);
    const suppressor =
      entry.suppress_when && resolve(plcs.points, entry.suppress_when.datapoint, `rules.${i}.suppress_when.datapoint`, problems);
    if (point === undefined || suppressor === undefined) continue;
    for (const p of problemsOf(entry, point, suppressor, idOf)) problems.push({ path: `rules.${i}.${p.path}`, message: p.message });

    const before = unmatched.get(matchKey(point, entry.name))?.shift();
    const step = compared(before && ruleEntryOf(before, refs), entry);
    if (step.action === 'create') parts.writes.push({ resource: 'rule', action: 'create', input: entry, point, suppressor });
    else if (step.action === 'update')
      parts.writes.push({ resource: 'rule', action: 'update', before: before!, input: entry, point, suppressor, changes: step.changes });
    else parts.unchanged++;
  }
  if (prune) for (const rules of unmatched.values()) rules.forEach(deleteRule);
  return parts;
}
