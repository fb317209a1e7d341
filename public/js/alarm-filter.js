/**
 * The live list's filter by severity, state and PLC, remembered in localStorage. It records
 * what the operator hides rather than what they show, so whatever appears later (a new PLC)
 * is shown: a filter never hides an alarm nobody chose to hide.
 */

const KEY = 'alarms.filter';
export const FILTER_KINDS = ['severity', 'state', 'plc'];

const empty = () => ({ severity: new Set(), state: new Set(), plc: new Set() });

/** The remembered filter: `{severity, state, plc}`, each a Set of hidden values (as strings). */
export function loadFilter(storage = localStorage) {
  const filter = empty();
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? '{}');
    for (const kind of FILTER_KINDS) for (const value of saved[kind] ?? []) filter[kind].add(String(value));
  } catch {
    // an unreadable entry (hand-edited, older format) means no filter
  }
  return filter;
}

export function saveFilter(filter, storage = localStorage) {
  storage.setItem(KEY, JSON.stringify(Object.fromEntries(FILTER_KINDS.map((kind) => [kind, [...filter[kind]]]))));
}

export const clearFilter = (filter) => FILTER_KINDS.forEach((kind) => filter[kind].clear());

export const isFiltering = (filter) => FILTER_KINDS.some((kind) => filter[kind].size > 0);

/** The value of `alarm` the filter of `kind` looks at, as a string. */
export const filterValueOf = (alarm, kind) => String(alarm[kind === 'plc' ? 'plc_id' : kind]);

export const isShown = (filter, alarm) => FILTER_KINDS.every((kind) => !filter[kind].has(filterValueOf(alarm, kind)));
