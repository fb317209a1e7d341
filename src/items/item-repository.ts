import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { getSetting, setSetting } from '../db/settings.js';
import type { ItemsTable } from '../db/schema.js';
import type { AlarmSchedule, Item, TimerState } from './item.js';

/** An item with what only the server sees: its owner, feed position and due bookkeeping. */
export interface StoredItem {
  item: Item;
  ownerId: number;
  seq: number;
  nextDueAt: number | null;
  lastDueAt: number | null;
}

function toItem(r: Selectable<ItemsTable>): Item {
  const head = { id: r.id, label: r.label, enabled: r.enabled === 1 };
  const tail = { version: r.version, updated_at: r.updated_at, deleted: r.deleted === 1 };
  return r.kind === 'alarm'
    ? {
        id: head.id,
        kind: 'alarm',
        label: head.label,
        enabled: head.enabled,
        alarm: JSON.parse(r.alarm ?? 'null') as AlarmSchedule,
        ...tail,
      }
    : { id: head.id, kind: 'timer', label: head.label, enabled: head.enabled, timer: JSON.parse(r.timer ?? 'null') as TimerState, ...tail };
}

const toStored = (r: Selectable<ItemsTable>): StoredItem => ({
  item: toItem(r),
  ownerId: r.owner_id,
  seq: r.seq,
  nextDueAt: r.next_due_at,
  lastDueAt: r.last_due_at,
});

function toRow(s: StoredItem): Selectable<ItemsTable> {
  const { item } = s;
  return {
    id: item.id,
    owner_id: s.ownerId,
    kind: item.kind,
    label: item.label,
    enabled: item.enabled ? 1 : 0,
    alarm: item.kind === 'alarm' ? JSON.stringify(item.alarm) : null,
    timer: item.kind === 'timer' ? JSON.stringify(item.timer) : null,
    version: item.version,
    updated_at: item.updated_at,
    deleted: item.deleted ? 1 : 0,
    seq: s.seq,
    next_due_at: s.nextDueAt,
    last_due_at: s.lastDueAt,
  };
}

/** Any item by id, whoever owns it and whether or not it is deleted. */
export async function findItem(db: Db, id: string): Promise<StoredItem | undefined> {
  const row = await db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toStored(row);
}

/** One user's live items, in the order they last changed. */
export async function listLiveItems(db: Db, ownerId: number): Promise<Item[]> {
  const rows = await db.selectFrom('items').selectAll().where('owner_id', '=', ownerId).where('deleted', '=', 0).orderBy('seq').execute();
  return rows.map(toItem);
}

/** One user's changes after `since`, tombstones included, oldest first. */
export async function listChanges(db: Db, ownerId: number, since: number): Promise<StoredItem[]> {
  const rows = await db.selectFrom('items').selectAll().where('owner_id', '=', ownerId).where('seq', '>', since).orderBy('seq').execute();
  return rows.map(toStored);
}

/**
 * The newest feed position ever given out, of all users: that of a kept row or of a pruned
 * tombstone, so a position is never given out twice.
 */
export async function lastSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('items')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Math.max(Number(row?.seq ?? 0), await prunedSeq(db));
}

const PRUNED_SEQ = 'items_pruned_seq';

/** The newest feed position of a pruned tombstone (0 when none was): older cursors may miss deletions. */
export async function prunedSeq(db: Db): Promise<number> {
  return Number((await getSetting(db, PRUNED_SEQ)) ?? 0);
}

/**
 * Removes the tombstones last changed before `beforeIso` and remembers where they reached. Run
 * it in a journal transaction (item-service.ts): in a cluster, that serializes it with every
 * other node's prune and feed write, so the remembered position only ever grows.
 */
export async function pruneTombstones(trx: Db, beforeIso: string): Promise<number> {
  const gone = await trx.deleteFrom('items').where('deleted', '=', 1).where('updated_at', '<', beforeIso).returning('seq').execute();
  if (gone.length === 0) return 0;
  const newest = gone.reduce((max, r) => Math.max(max, r.seq), await prunedSeq(trx));
  await setSetting(trx, PRUNED_SEQ, String(newest));
  return gone.length;
}

export async function countLiveItems(db: Db, ownerId: number): Promise<number> {
  const row = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('owner_id', '=', ownerId)
    .where('deleted', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts or replaces the whole row. */
export async function saveItem(db: Db, s: StoredItem): Promise<void> {
  const { id, ...rest } = toRow(s);
  await db
    .insertInto('items')
    .values({ id, ...rest })
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute();
}

// Items of a deleted user stay as rows (no foreign key) but never fire again.
const dueQuery = (db: Db) =>
  db
    .selectFrom('items')
    .where('next_due_at', 'is not', null)
    .where('deleted', '=', 0)
    .where('owner_id', 'in', (eb) => eb.selectFrom('users').select('users.id'));

/** Items due at or before `now`, earliest first. */
export async function listDueItems(db: Db, now: number, limit: number): Promise<StoredItem[]> {
  const rows = await dueQuery(db).selectAll().where('next_due_at', '<=', now).orderBy('next_due_at').limit(limit).execute();
  return rows.map(toStored);
}

/** When the next item comes due, or null when none will. */
export async function earliestDue(db: Db): Promise<number | null> {
  const row = await dueQuery(db)
    .select((eb) => eb.fn.min('next_due_at').as('at'))
    .executeTakeFirst();
  return row?.at == null ? null : Number(row.at);
}

/** Records a firing: the due instant it fired for and when it is next due. */
export async function markFired(db: Db, id: string, lastDueAt: number, nextDueAt: number | null): Promise<void> {
  await db.updateTable('items').set({ last_due_at: lastDueAt, next_due_at: nextDueAt }).where('id', '=', id).execute();
}
