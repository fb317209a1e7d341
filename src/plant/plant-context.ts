import type { Db } from '../db/database.js';
import type { NewEvent } from '../db/events.js';
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

/** A `config` event about one row, as SPEC 5 names it: `<resource>_<action>`. */
export function configEvent(
  resource: 'plc' | 'datapoint' | 'rule',
  action: 'created' | 'updated' | 'deleted',
  row: { id: number },
): NewEvent {
  return {
    topic: 'config',
    type: `${resource}_${action}`,
    payload: { [resource]: row },
    rule_id: resource === 'rule' ? row.id : null,
  };
}
