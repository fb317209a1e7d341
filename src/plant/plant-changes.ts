import type { JournalEvent } from '../db/events.js';
import type { Logger } from '../log/logger.js';
import type { PlantChange } from './plant-context.js';
import type { Rule } from './rule.js';

/** Who acts on committed plant changes. */
export interface PlantChangeTargets {
  ruleSaved(rule: Rule): void;
  ruleDeleted(ruleId: number): void;
  /** PLCs or datapoints changed: reload what depends on them (labels, the poller's config). */
  reloadTopology(): Promise<void>;
}

/**
 * Routes committed changes. Rule changes go to the engine first, while it still knows the
 * datapoints of deleted rules; topology reloads run one after another.
 */
export function plantChangeRouter(targets: PlantChangeTargets, log: Logger) {
  let topology = Promise.resolve();
  return {
    changed(changes: PlantChange[]): void {
      for (const change of changes) {
        if (change.kind === 'rule_saved') targets.ruleSaved(change.rule);
        else if (change.kind === 'rule_deleted') targets.ruleDeleted(change.ruleId);
      }
      if (changes.some((c) => c.kind === 'topology')) {
        topology = topology
          .then(() => targets.reloadTopology())
          .catch((err: unknown) => log.error(`plant: reload after a change failed: ${String(err)}`));
      }
    },
    /** Resolves once every reload asked for so far is done. */
    settled: () => topology,
  };
}

/**
 * The plant changes a journal's `config` events record: in a cluster each node learns of
 * every change, its own included, by reading them back (src/cluster).
 */
export function plantChangesOf(events: readonly JournalEvent[]): PlantChange[] {
  const changes: PlantChange[] = [];
  for (const e of events) {
    if (e.topic !== 'config') continue;
    if (e.type === 'rule_created' || e.type === 'rule_updated') changes.push({ kind: 'rule_saved', rule: e.payload['rule'] as Rule });
    else if (e.type === 'rule_deleted') changes.push({ kind: 'rule_deleted', ruleId: (e.payload['rule'] as Rule).id });
    else if (/^(plc|datapoint)_/.test(e.type) && !changes.some((c) => c.kind === 'topology')) changes.push({ kind: 'topology' });
  }
  return changes;
}
