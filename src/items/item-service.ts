import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';
import { type AppError, conflict, notFound } from '../kernel/errors.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log/logger.js';
import { createDueScheduler } from './due-scheduler.js';
import { nextDueAt } from './due-time.js';
import { itemEvent } from './item-events.js';
import {
  countLiveItems,
  findItem,
  lastSeq,
  listChanges,
  listLiveItems,
  prunedSeq,
  pruneTombstones,
  saveItem,
  type StoredItem,
} from './item-repository.js';
import { dueKey, MAX_LIVE_ITEMS, type Item, type ItemInput } from './item.js';

/**
 * Optimistic concurrency for `PUT`, so two devices never silently overwrite each other:
 * - to create (no item, or only its tombstone): no `If-Match`, or `If-Match: 0`;
 * - to change a live item: `If-Match` with its current version. Without one it is a 409 too,
 *   since a device that never saw the item cannot have meant to replace it.
 */
function versionConflict(current: StoredItem | undefined, ifMatch: number | undefined): AppError | undefined {
  const live = current !== undefined && !current.item.deleted;
  if (live) {
    const version = current.item.version;
    if (ifMatch === undefined) return conflict(`item exists at version ${version}; send If-Match: ${version} to change it`);
    if (ifMatch !== version) return conflict(`stale version ${ifMatch}: the item is at version ${version}`);
    return undefined;
  }
  if (ifMatch === undefined || ifMatch === 0) return undefined;
  return conflict(
    current
      ? `item was deleted at version ${current.item.version}; send no If-Match (or 0) to create it again`
      : 'item does not exist; send no If-Match (or 0) to create it',
  );
}

const missing = () => notFound('item');

/** How long a deleted item's tombstone stays in the feed; a device away longer syncs from 0. */
export const TOMBSTONE_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * A user's personal alarms and timers (SPEC 8). Every change takes the next feed position and is
 * journaled as an `items` event for its owner in the same transaction; the due scheduler is
 * re-armed before the answer goes out. Another user's item is 404, never 403: ids reveal nothing.
 */
export function createItemService(db: Db, journal: Journal, clock: Clock, log: Logger) {
  const scheduler = createDueScheduler(db, journal, clock, log);
  let pruneTimer: unknown;
  let pruning: Promise<unknown> = Promise.resolve();

  /** Prunes old tombstones now and then once a day, on the injected clock. */
  function prunePeriodically(): void {
    const cutoff = new Date(clock.now() - TOMBSTONE_DAYS * DAY_MS).toISOString();
    pruning = journal
      .record(async (trx) => ({ result: await pruneTombstones(trx, cutoff), events: [] }))
      .then(
        (n) => n > 0 && log.info(`items: pruned ${n} tombstones older than ${cutoff}`),
        (err: unknown) => log.error(`items: pruning tombstones failed: ${String(err)}`),
      );
    pruneTimer = clock.setTimer(clock.now() + DAY_MS, prunePeriodically);
  }

  return {
    async start() {
      await scheduler.start();
      prunePeriodically();
    },
    async stop() {
      clock.clearTimer(pruneTimer);
      await pruning;
      await scheduler.stop();
    },

    /** Items changed elsewhere (another node of a cluster): look for the next due time again. */
    reschedule: () => scheduler.reschedule(),

    list: (ownerId: number): Promise<Item[]> => listLiveItems(db, ownerId),

    async get(ownerId: number, id: string): Promise<Item> {
      const found = await findItem(db, id);
      if (!found || found.ownerId !== ownerId || found.item.deleted) throw missing();
      return found.item;
    },

    /**
     * Changes after `since`, oldest first; `cursor` is the `since` for the next call. One read
     * transaction on one snapshot (PostgreSQL's default gives each statement its own), so a
     * prune cannot fall between the check and the listing.
     */
    changes(ownerId: number, since: number): Promise<{ changes: Item[]; cursor: number }> {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          if (since > (await lastSeq(trx))) {
            throw conflict('cursor is ahead of the server (a reset database?); sync again with since=0');
          }
          const pruned = await prunedSeq(trx);
          if (since > 0 && since < pruned) {
            throw conflict(`cursor is older than the deletions kept (${TOMBSTONE_DAYS} days); sync again with since=0`);
          }
          const rows = await listChanges(trx, ownerId, since);
          // Never below the pruned position: this user has seen everything up to it.
          return { changes: rows.map((r) => r.item), cursor: Math.max(rows.at(-1)?.seq ?? since, pruned) };
        });
    },

    /** Creates or replaces an item; `created` tells 201 from 200. */
    async put(ownerId: number, id: string, input: ItemInput, ifMatch: number | undefined): Promise<{ item: Item; created: boolean }> {
      const saved = await journal.record(async (trx, ts) => {
        const current = await findItem(trx, id);
        if (current && current.ownerId !== ownerId) throw missing();
        const problem = versionConflict(current, ifMatch);
        if (problem) throw problem;
        const live = current !== undefined && !current.item.deleted;
        if (!live && (await countLiveItems(trx, ownerId)) >= MAX_LIVE_ITEMS) {
          throw conflict(`at most ${MAX_LIVE_ITEMS} items per user; delete some first`);
        }
        const lastDueAt = current?.lastDueAt ?? null;
        // An edit that keeps the schedule (a new label, say) keeps its due time, even one in flight.
        const nextDue = live && dueKey(current.item) === dueKey(input) ? current.nextDueAt : nextDueAt(input, Date.parse(ts), lastDueAt);
        const item: Item = { id, ...input, version: (current?.item.version ?? 0) + 1, updated_at: ts, deleted: false };
        await saveItem(trx, { item, ownerId, seq: (await lastSeq(trx)) + 1, nextDueAt: nextDue, lastDueAt });
        return { result: { item, created: !live }, events: [itemEvent(live ? 'item_updated' : 'item_created', item, ownerId)] };
      });
      await scheduler.reschedule();
      return saved;
    },

    /** Deletes, leaving a tombstone for the feed; `If-Match` is optional here. */
    async remove(ownerId: number, id: string, ifMatch: number | undefined): Promise<void> {
      await journal.record(async (trx, ts) => {
        const current = await findItem(trx, id);
        if (!current || current.ownerId !== ownerId || current.item.deleted) throw missing();
        const version = current.item.version;
        if (ifMatch !== undefined && ifMatch !== version) throw conflict(`stale version ${ifMatch}: the item is at version ${version}`);
        const item: Item = { ...current.item, version: version + 1, updated_at: ts, deleted: true };
        await saveItem(trx, { ...current, item, seq: (await lastSeq(trx)) + 1, nextDueAt: null });
        return { result: undefined, events: [itemEvent('item_deleted', item, ownerId)] };
      });
      await scheduler.reschedule();
    },
  };
}

export type ItemService = ReturnType<typeof createItemService>;
