import type { Selectable } from 'kysely';
import * as v from 'valibot';
import type { DeliveryCursor } from './delivery-cursor.js';
import { NotifierInput, type Notifier, type NotifierConfig } from './notifier.js';
import type { Db } from '../db/database.js';
import type { NotifiersTable } from '../db/schema.js';

/**
 * A stored row parsed again with the schema: settings added after it was written get their
 * defaults, and what could not pass the API never reaches a sink.
 */
const toNotifier = (r: Selectable<NotifiersTable>): Notifier => ({
  id: r.id,
  ...v.parse(NotifierInput, { ...(JSON.parse(r.config) as object), kind: r.kind, name: r.name, enabled: r.enabled === 1 }),
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

/** A new notifier whose cursor starts at `cursor` (the journal's end: it sends what happens next). */
export async function insertNotifier(db: Db, n: NotifierConfig, cursor: DeliveryCursor, now: string): Promise<Notifier> {
  const row = await db
    .insertInto('notifiers')
    .values({ ...toRow(n), ...cursorColumns(cursor), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toNotifier(row);
}

/** New settings; the cursor moves only when given (a notifier enabled again starts from now). */
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

/** The notifier's place in the journal. Throws once it is deleted: a loop must not start from 0. */
export async function loadNotifierCursor(db: Db, id: number): Promise<DeliveryCursor> {
  const row = await db
    .selectFrom('notifiers')
    .select(['cursor_through', 'cursor_replay_from'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow(() => new Error(`notifier ${id} is gone`));
  return { through: row.cursor_through, replay_from: row.cursor_replay_from };
}

/**
 * Saves the cursor; a no-op once the notifier is deleted. It never moves back: a cluster node
 * that lost the notifier's lease and saves late cannot undo what the next holder delivered.
 */
export async function saveNotifierCursor(db: Db, id: number, cursor: DeliveryCursor): Promise<void> {
  await db.updateTable('notifiers').set(cursorColumns(cursor)).where('id', '=', id).where('cursor_through', '<=', cursor.through).execute();
}
