import type { JournalEvent } from '../journal/events.js';
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
 * datapoints of deleted rules; topology reloads run one after another. Rules saved with a
 * topology change (an import; a cluster node reading the journal back), or while a reload
 * runs, wait for it: it brings the datapoints they are on. Whatever is told meanwhile waits
 * behind them, so the engine sees each rule's changes in order.
 */
export function plantChangeRouter(targets: PlantChangeTargets, log: Logger) {
  let chain = Promise.resolve();
  /** reloads and rule changes queued in the chain and not yet done */
  let pending = 0;

  function applyRules(changes: readonly PlantChange[]): void {
    for (const change of changes) {
      if (change.kind === 'rule_saved') targets.ruleSaved(change.rule);
      else if (change.kind === 'rule_deleted') targets.ruleDeleted(change.ruleId);
    }
  }

  function enqueue(before: readonly PlantChange[], reload: boolean, after: readonly PlantChange[]): void {
    pending++;
    chain = chain
      .then(() => applyRules(before))
      .then(() => (reload ? targets.reloadTopology() : undefined))
      .catch((err: unknown) => log.error(`plant: reload after a change failed: ${String(err)}`))
      .then(() => applyRules(after))
      .catch((err: unknown) => log.error(`plant: rule changes not applied: ${String(err)}`))
      .finally(() => pending--);
  }

  return {
    changed(changes: PlantChange[]): void {
      const reload = changes.some((c) => c.kind === 'topology');
      const saved = new Set(changes.flatMap((c) => (c.kind === 'rule_saved' ? [c.rule.id] : [])));
      if (pending === 0 && (saved.size === 0 || !reload)) {
        applyRules(changes); // nothing to wait for: at once, as ever
        if (reload) enqueue([], true, []);
        return;
      }
      // Deleted rules before the reload (unless saved again here); the rest after it, in order.
      const before = changes.filter((c) => c.kind === 'rule_deleted' && !saved.has(c.ruleId));
      const after = changes.filter((c) => c.kind !== 'topology' && !before.includes(c));
      if (pending > 0) return enqueue(before, reload, after);
      applyRules(before);
      enqueue([], reload, after);
    },
    /** Resolves once every reload asked for so far, and the rule changes waiting for it, are done. */
    settled: () => chain,
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
