import { changesOf } from '../kernel/changes.js';
import type { Notifier, NotifierConfig } from '../notify/notifier.js';
import type { Datapoint } from '../plant/datapoint.js';
import type { Plc, PlcInput } from '../plant/plc.js';
import type { Rule } from '../plant/rule.js';
import type { DatapointEntry, RuleEntry } from './plant-file.js';
import type { PointKey } from './point-refs.js';

/** `{"<field>": [before, after]}`, as config events record an update (SPEC 13). */
export type FieldChanges = Record<string, [unknown, unknown]>;

export type PlcStep =
  | { resource: 'plc'; action: 'create'; input: PlcInput }
  | { resource: 'plc'; action: 'update'; before: Plc; input: PlcInput; changes: FieldChanges }
  | { resource: 'plc'; action: 'delete'; before: Plc };

/** `plc`: the name of the PLC the datapoint is on. */
export type DatapointStep =
  | { resource: 'datapoint'; action: 'create'; plc: string; input: DatapointEntry }
  | { resource: 'datapoint'; action: 'update'; plc: string; before: Datapoint; input: DatapointEntry; changes: FieldChanges }
  | { resource: 'datapoint'; action: 'delete'; plc: string; before: Datapoint };

/** `point` and `suppressor`: the datapoints the entry's references resolved to. */
export type RuleStep =
  | { resource: 'rule'; action: 'create'; input: RuleEntry; point: PointKey; suppressor: PointKey | null }
  | {
      resource: 'rule';
      action: 'update';
      before: Rule;
      input: RuleEntry;
      point: PointKey;
      suppressor: PointKey | null;
      changes: FieldChanges;
    }
  | { resource: 'rule'; action: 'delete'; before: Rule; datapoint: string };

export type NotifierStep =
  | { resource: 'notifier'; action: 'create'; input: NotifierConfig }
  | { resource: 'notifier'; action: 'update'; before: Notifier; input: NotifierConfig; changes: FieldChanges }
  | { resource: 'notifier'; action: 'delete'; before: Notifier };

/** One change an import makes, with what applying it needs. */
export type ImportStep = PlcStep | DatapointStep | RuleStep | NotifierStep;

/** What an import would do: its steps in the order they are applied (deletes first), and how many things stay as they are. */
export interface ImportPlan {
  steps: ImportStep[];
  unchanged: number;
}

/** One resource's share of a plan. */
export interface PlanParts {
  deletes: ImportStep[];
  writes: ImportStep[];
  unchanged: number;
}

export const emptyParts = (): PlanParts => ({ deletes: [], writes: [], unchanged: 0 });

/**
 * How a file's entry compares with what it matched, both in file form: new, changed (the
 * fields that differ), or the same.
 */
export function compared<T extends object>(
  before: T | undefined,
  after: T,
): { action: 'create' } | { action: 'update'; changes: FieldChanges } | { action: 'same' } {
  if (before === undefined) return { action: 'create' };
  const changes = changesOf(before, after);
  return Object.keys(changes).length > 0 ? { action: 'update', changes } : { action: 'same' };
}
