import { changesOf } from '../kernel/changes.js';
import type { ErrorDetail } from '../kernel/errors.js';
import { notifierView, type Notifier, type NotifierConfig } from '../notify/notifier.js';
import { emptyParts, type FieldChanges, type PlanParts } from './import-steps.js';
import type { NotifierEntry } from './plant-file.js';

/** The URL as reads show it: a broker password masked. */
const shownUrl = (n: NotifierConfig) => notifierView({ ...n, id: 0 }, null).url;

/**
 * The settings an entry stands for. Exports leave the webhook secret out and mask a broker
 * password, so a missing secret keeps the stored one and a masked URL the stored URL, as a PATCH
 * does. Undefined: a new webhook without a secret.
 */
function settingsOf(entry: NotifierEntry, before: Notifier | undefined): NotifierConfig | undefined {
  if (entry.kind === 'webhook') {
    const secret = entry.secret ?? (before?.kind === 'webhook' ? before.secret : undefined);
    return secret === undefined ? undefined : { ...entry, secret };
  }
  if (before?.kind === 'mqtt' && entry.url === shownUrl(before)) return { ...entry, url: before.url };
  return entry;
}

/** What changed, never showing a secret or a broker password. */
function shownChanges(before: NotifierConfig, after: NotifierConfig): FieldChanges {
  const changes = changesOf(before, after);
  if (changes['secret']) changes['secret'] = ['***', '***'];
  if (changes['url']) changes['url'] = [shownUrl(before), shownUrl(after)];
  return changes;
}

/** Notifiers matched by name; with `prune`, those the file does not list are deleted. No `notifiers` section: no change. */
export function planNotifiers(
  current: Notifier[],
  entries: NotifierEntry[] | undefined,
  prune: boolean,
  problems: ErrorDetail[],
): PlanParts {
  const parts = emptyParts();
  const byName = new Map(current.map((n) => [n.name, n]));
  const listed = new Set<string>();
  for (const [i, entry] of (entries ?? []).entries()) {
    if (listed.has(entry.name)) {
      problems.push({ path: `notifiers.${i}.name`, message: `notifier "${entry.name}" is listed twice` });
      continue;
    }
    listed.add(entry.name);
    const before = byName.get(entry.name);
    const input = settingsOf(entry, before);
    if (input === undefined) {
      problems.push({ path: `notifiers.${i}.secret`, message: 'required for a new webhook notifier (exports leave secrets out)' });
      continue;
    }
    if (!before) {
      parts.writes.push({ resource: 'notifier', action: 'create', input });
      continue;
    }
    const { id: _id, ...stored } = before;
    const changes = shownChanges(stored, input);
    if (Object.keys(changes).length > 0) parts.writes.push({ resource: 'notifier', action: 'update', before, input, changes });
    else parts.unchanged++;
  }
  if (entries !== undefined && prune) {
    for (const n of current) if (!listed.has(n.name)) parts.deletes.push({ resource: 'notifier', action: 'delete', before: n });
  }
  return parts;
}
