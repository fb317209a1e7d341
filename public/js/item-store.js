/**
 * The user's items (SPEC 8), synced from the change feed (`GET /api/items?since=`) and `items`
 * events. Versions make every source idempotent: an older copy never replaces a newer one,
 * and a tombstone is remembered so a late copy cannot bring a deleted item back.
 */
import { get } from './api.js';

export function createItemStore() {
  const items = new Map();
  const versions = new Map(); // id -> highest version seen, tombstones included
  let cursor = 0;

  /** Applies one copy of an item; returns true when it changed something. */
  function apply(item) {
    if (!item?.id) return false;
    if ((versions.get(item.id) ?? 0) >= item.version) return false;
    versions.set(item.id, item.version);
    if (item.deleted) items.delete(item.id);
    else items.set(item.id, item);
    return true;
  }

  return {
    items,
    apply,
    /** Pulls every change after the last cursor (all of them the first time). */
    async sync() {
      const feed = await get(`/api/items?since=${cursor}`);
      for (const item of feed.changes) apply(item);
      cursor = feed.cursor;
    },
    /** Forgets everything and pulls the whole feed (after the server asked for a full sync). */
    async resync() {
      cursor = 0;
      items.clear();
      versions.clear();
      await this.sync();
    },
  };
}

/** A v4 UUID; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function newItemId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
