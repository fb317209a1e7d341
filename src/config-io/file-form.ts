import { notifierView, type Notifier } from '../notify/notifier.js';
import type { Datapoint } from '../plant/datapoint.js';
import type { Plc } from '../plant/plc.js';
import type { Rule } from '../plant/rule.js';
import type { CurrentConfig } from './current-config.js';
import type { DatapointEntry, NotifierEntry, PlantFile, PlcEntry, RuleEntry } from './plant-file.js';
import { pointRef } from './point-refs.js';

/**
 * Stored rows in the form a plant file holds them: ids replaced by names. The export writes
 * these, and the planner compares them with a file's entries to find what changed.
 */

export function plcEntryOf(p: Plc, datapoints?: DatapointEntry[]): PlcEntry {
  const { id: _id, ...fields } = p;
  return datapoints === undefined ? fields : { ...fields, datapoints };
}

export function datapointEntryOf(d: Datapoint): DatapointEntry {
  const { id: _id, plc_id: _plc, ...fields } = d;
  return fields;
}

/** The reference of each datapoint id: "<plc name>/<label>". */
export function pointRefs(current: Pick<CurrentConfig, 'plcs' | 'datapoints'>): Map<number, string> {
  const plcNames = new Map(current.plcs.map((p) => [p.id, p.name]));
  return new Map(current.datapoints.map((d) => [d.id, pointRef(plcNames.get(d.plc_id)!, d.label)]));
}

/**
 * A rule with its datapoints named. A suppressor that no longer exists (its datapoint deleted
 * since) suppresses nothing, and is written as no suppression.
 */
export function ruleEntryOf(r: Rule, refs: ReadonlyMap<number, string>): RuleEntry {
  const { id: _id, datapoint_id, name, suppress_when, ...fields } = r;
  const suppressor = suppress_when && refs.get(suppress_when.datapoint_id);
  return {
    name,
    datapoint: refs.get(datapoint_id)!,
    ...fields,
    suppress_when:
      suppress_when && suppressor ? { datapoint: suppressor, comparison: suppress_when.comparison, value: suppress_when.value } : null,
  };
}

/** A notifier as reads show it: no webhook secret, a broker password masked. */
export function notifierEntryOf(n: Notifier): NotifierEntry {
  const { id: _id, status: _status, name, ...fields } = notifierView(n, null);
  return { name, ...fields };
}

/** The whole configuration as a plant file, each list in id order. */
export function plantFileOf(current: CurrentConfig): PlantFile {
  const refs = pointRefs(current);
  const pointsOf = new Map<number, DatapointEntry[]>(current.plcs.map((p) => [p.id, []]));
  for (const d of current.datapoints) pointsOf.get(d.plc_id)?.push(datapointEntryOf(d));
  return {
    version: 1,
    plcs: current.plcs.map((p) => plcEntryOf(p, pointsOf.get(p.id))),
    rules: current.rules.map((r) => ruleEntryOf(r, refs)),
    notifiers: current.notifiers.map(notifierEntryOf),
  };
}
