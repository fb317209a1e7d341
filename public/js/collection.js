/**
 * A plant resource (PLCs, datapoints or rules) loaded over REST and kept current by its
 * `config` events (`<resource>_created|updated|deleted`, each carrying the row). Reloaded on
 * every stream snapshot, since a snapshot means events may have been missed.
 */
import { get } from './api.js';

export function createCollection(client, resource, path) {
  const rows = new Map();
  const listeners = new Set();
  let loaded = false;

  const emit = (change) => {
    for (const fn of listeners) fn(change);
  };

  async function load() {
    const list = await get(path);
    rows.clear();
    for (const row of list) rows.set(row.id, row);
    loaded = true;
    emit({ type: 'loaded' });
  }

  // Events carry the stored row; reads add fields (status, live) that an event must not erase.
  const upsert = (type) => (e) => {
    const row = e[resource];
    if (!row) return;
    rows.set(row.id, { ...rows.get(row.id), ...row });
    emit({ type, row: rows.get(row.id), event: e });
  };
  client.on(`${resource}_created`, upsert('created'));
  client.on(`${resource}_updated`, upsert('updated'));
  client.on(`${resource}_deleted`, (e) => {
    const row = e[resource];
    if (!row) return;
    rows.delete(row.id);
    emit({ type: 'deleted', row, event: e });
  });
  client.on('snapshot', () => {
    if (loaded) load().catch(() => {});
  });

  return {
    rows,
    load,
    get: (id) => rows.get(id),
    list: () => [...rows.values()],
    /** Changes a row in place (live status, values) without an event. */
    patch(id, fields) {
      const row = rows.get(id);
      if (row) Object.assign(row, fields);
      return row;
    },
    /** `fn({type: 'loaded'|'created'|'updated'|'deleted', row?, event?})`; returns an unsubscribe. */
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** A datapoint as pickers and lists name it: description first, then label, unit and PLC. */
export function datapointName(dp, plc) {
  if (!dp) return 'Unknown datapoint';
  const parts = [dp.label, dp.unit, plc?.name].filter(Boolean);
  return `${dp.description || dp.label} — ${parts.join(' · ')}`;
}
