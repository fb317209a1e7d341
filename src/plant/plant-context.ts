import { changesOf } from '../kernel/changes.js';
import type { Db } from '../db/database.js';
import type { NewEvent } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import type { Rule } from './rule.js';

/** What a committed plant change means for the parts that run the plant. */
export type PlantChange =
  | { kind: 'topology' } // PLCs or datapoints changed: the poller reloads its configuration
  | { kind: 'rule_saved'; rule: Rule }
  | { kind: 'rule_deleted'; ruleId: number };

/** What the plant services share: the database, the journal and who to tell after a commit. */
export interface PlantContext {
  db: Db;
  journal: Journal;
  changed(changes: PlantChange[]): void;
}

/** Who made a change, and what the row was before it (updates). */
export interface Audit {
  /** The username; null when the server itself acted (the demo plant). */
  user: string | null;
  /** The PLC a rule's datapoint is on: a rule row does not say. */
  plc_id?: number | null;
  before?: object;
}

type Row = { id: number } & Record<string, unknown>;

/** The ids an event about the row concerns (SPEC 13), so history by rule finds config events too. */
function idsOf(resource: 'plc' | 'datapoint' | 'rule', row: Row, audit: Audit): Record<string, unknown> {
  if (resource === 'plc') return { plc_id: row.id };
  if (resource === 'datapoint') return { datapoint_id: row.id, plc_id: row['plc_id'] };
  return { rule_id: row.id, datapoint_id: row['datapoint_id'], plc_id: audit.plc_id ?? null };
}

/** A `config` event about one row, as SPEC 5 names it (`<resource>_<action>`), with who did it (SPEC 13). */
export function configEvent(
  resource: 'plc' | 'datapoint' | 'rule',
  action: 'created' | 'updated' | 'deleted',
  stored: { id: number },
  audit: Audit,
): NewEvent {
  const row = stored as Row;
  return {
    topic: 'config',
    type: `${resource}_${action}`,
    payload: {
      [resource]: row,
      user: audit.user,
      ...idsOf(resource, row, audit),
      ...(action === 'updated' && audit.before !== undefined && { changes: changesOf(audit.before, row) }),
    },
    rule_id: resource === 'rule' ? row.id : null,
  };
}
