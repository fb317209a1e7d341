import { listDatapoints } from '../plant/datapoint-repository.js';
import type { Db } from '../db/database.js';
import { listNotifiers } from '../notify/notifier-repository.js';
import { listPlcs } from '../plant/plc-repository.js';
import { listRules } from '../plant/rule-repository.js';
import type { Notifier } from '../notify/notifier.js';
import type { Datapoint } from '../plant/datapoint.js';
import type { Plc } from '../plant/plc.js';
import type { Rule } from '../plant/rule.js';

/** What a plant file describes, as the database holds it now (ids included, in id order). */
export interface CurrentConfig {
  plcs: Plc[];
  datapoints: Datapoint[];
  rules: Rule[];
  notifiers: Notifier[];
}

/** Reads the whole configuration; inside an import's transaction, the state it plans against. */
export async function readCurrentConfig(db: Db): Promise<CurrentConfig> {
  // One after the other: inside a transaction there is one connection to ask.
  const plcs = await listPlcs(db);
  const datapoints = await listDatapoints(db);
  const rules = await listRules(db);
  const notifiers = await listNotifiers(db);
  return { plcs, datapoints, rules, notifiers };
}

/**
 * The same from one snapshot, outside any other transaction (an export, a dry run): read in
 * parts, a rule could otherwise name a datapoint created after the datapoints were read.
 * (SQLite's transaction is a snapshot as it is; PostgreSQL's must be asked for one.)
 */
export function readConfigSnapshot(db: Db): Promise<CurrentConfig> {
  return db.transaction().setIsolationLevel('repeatable read').execute(readCurrentConfig);
}
