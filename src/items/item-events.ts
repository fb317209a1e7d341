import type { NewEvent } from '../journal/events.js';
import type { Item } from './item.js';

/** What happened to an item; each is an `items` event for its owner's streams only (SPEC 5). */
export type ItemChange = 'item_created' | 'item_updated' | 'item_deleted';

/** `item_created` / `item_updated` / `item_deleted` with payload `{item}`. */
export function itemEvent(type: ItemChange, item: Item, ownerId: number): NewEvent {
  return { topic: 'items', type, owner_id: ownerId, payload: { item } };
}

/** `item_due` with payload `{item, due_at, late}`: an alarm's time or a timer's end has come. */
export function dueEvent(item: Item, ownerId: number, dueAt: number, late: boolean): NewEvent {
  return { topic: 'items', type: 'item_due', owner_id: ownerId, payload: { item, due_at: new Date(dueAt).toISOString(), late } };
}
