import type { Selectable } from 'kysely';
import * as v from 'valibot';
import type { DeliveryCursor, SavedProgress } from './delivery-cursor.js';
import { NOTHING_YET, type DeliveryCounters } from './delivery-status.js';
import { NotifierInput, type Notifier, type NotifierConfig } from './notifier.js';
import type { Db } from '../db/database.js';
import type { NotifiersTable } from '../db/schema.js';

/** The status counters of each notifier read here, kept beside it rather than in it (see storedCounters). */
const countersRead = new WeakMap<Notifier, DeliveryCounters>();

const countersOfRow = (r: Selectable<NotifiersTable>): DeliveryCounters => ({
  delivered: r.status_delivered,
  failed_attempts: r.status_failed_attempts,
  abandoned: r.status_abandoned,
  last_error: r.status_last_error,
  last_error_at: r.status_last_error_at,
  last_delivered_at: r.status_last_delivered_at,
  last_delivered_id: r.status_last_delivered_id,
  last_abandoned_id: r.status_last_abandoned_id,
});

/**
 * A stored row parsed again with the schema: settings added after it was written get their
 * defaults, and what could not pass the API never reaches a sink.
 */
function toNotifier(r: Selectable<NotifiersTable>): Notifier {
  const n: Notifier = {
    id: r.id,
    ...v.parse(NotifierInput, { ...(JSON.parse(r.config) as object), kind: r.kind, name: r.name, enabled: r.enabled === 1 }),
  };
  countersRead.set(n, countersOfRow(r));
  return n;
}

/**
 * The status counters saved in the row `n` was read from (NOTHING_YET for a notifier that did not
 * come from here): what a node that does not drive it answers, without reading the row again. They
 * are not in the Notifier itself, which is its settings: compared to tell an edit from a no-op,
 * exported, journaled.
 */
export const storedCounters = (n: Notifier): DeliveryCounters => countersRead.get(n) ?? NOTHING_YET;

const countersColumns = (c: DeliveryCounters) => ({
  status_delivered: c.delivered,
  status_failed_attempts: c.failed_attempts,
  status_abandoned: c.abandoned,
  status_last_error: c.last_error,
  status_last_error_at: c.last_error_at,
  status_last_delivered_at: c.last_delivered_at,
  status_last_delivered_id: c.last_delivered_id,
  status_last_abandoned_id: c.last_abandoned_id,
});

function toRow(n: NotifierConfig) {
  const { kind, name, enabled, ...config } = n;
  return { kind, name, enabled: enabled ? 1 : 0, config: JSON.stringify(config) };
}

const cursorColumns = (c: DeliveryCursor) => ({ cursor_through: c.through, cursor_replay_from: c.replay_from });

export async function listNotifiers(db: Db): Promise<Notifier[]> {
  return (await db.selectFrom('notifiers').selectAll().orderBy('id').execute()).map(toNotifier);
}

export async function findNotifier(db: Db, id: number): Promise<Notifier | undefined> {
  const row = await db.selectFrom('notifiers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toNotifier(row);
}

/** A new notifier whose cursor starts at `cursor` (the journal's end: it sends what happens next), its counters at zero. */
export async function insertNotifier(db: Db, n: NotifierConfig, cursor: DeliveryCursor, now: string): Promise<Notifier> {
  const row = await db
    .insertInto('notifiers')
    .values({ ...toRow(n), ...cursorColumns(cursor), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toNotifier(row);
}

/**
 * New settings; the cursor moves only when given (a notifier enabled again starts from now).
 * The status counters stay as they are, whatever changes, a notifier enabled again included:
 * they are the notifier's history (what it delivered, its last error), not its position, and an
 * operator looking at a notifier that was off for a while wants them. Only a new notifier starts
 * at zero. (The API and a config import both re-enable through here.)
 */
export async function updateNotifier(db: Db, id: number, n: NotifierConfig, now: string, cursor?: DeliveryCursor): Promise<Notifier> {
  const row = await db
    .updateTable('notifiers')
    .set({ ...toRow(n), ...(cursor && cursorColumns(cursor)), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toNotifier(row);
}

export async function deleteNotifier(db: Db, id: number): Promise<void> {
  await db.deleteFrom('notifiers').where('id', '=', id).execute();
}

/** The notifier's place in the journal and its counters. Throws once it is deleted: a loop must not start from 0. */
export async function loadNotifierProgress(db: Db, id: number): Promise<SavedProgress> {
  const row = await db
    .selectFrom('notifiers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow(() => new Error(`notifier ${id} is gone`));
  return { cursor: { through: row.cursor_through, replay_from: row.cursor_replay_from }, counters: countersOfRow(row) };
}

/**
 * Saves the cursor and the counters in one statement; a no-op once the notifier is deleted. It
 * never moves back: a cluster node that lost the notifier's lease and saves late cannot undo what
 * the next holder delivered. Saves are ordered by the cursor, then, at the same `through`, by the
 * counters: a loop also saves without moving `through` (a failed attempt while it backs off, a
 * digest sent, the guard's minute closed), so a late save of the same `through` may carry fewer
 * deliveries or failures than the next holder saved since; it is taken only if none of
 * `replay_from`, `delivered`, `failed_attempts`, `abandoned` is smaller (each only grows in a
 * loop). A later `through` always wins, so a loop's cursor is never held back by the counters.
 */
export async function saveNotifierProgress(db: Db, id: number, progress: SavedProgress): Promise<void> {
  await progressUpdate(db, id, progress).execute();
}

/** The statement of `saveNotifierProgress`, to run or to compile. */
export function progressUpdate(db: Db, id: number, { cursor, counters }: SavedProgress) {
  return db
    .updateTable('notifiers')
    .set({ ...cursorColumns(cursor), ...countersColumns(counters) })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('cursor_through', '<', cursor.through),
        eb.and([
          eb('cursor_through', '=', cursor.through),
          eb('cursor_replay_from', '<=', cursor.replay_from),
          eb('status_delivered', '<=', counters.delivered),
          eb('status_failed_attempts', '<=', counters.failed_attempts),
          eb('status_abandoned', '<=', counters.abandoned),
        ]),
      ]),
    );
}
