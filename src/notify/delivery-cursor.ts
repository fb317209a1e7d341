import type { DeliveryCounters } from './delivery-status.js';

/**
 * Where a notifier stands in the journal, stored per notifier: the outbox is the journal itself.
 * Two ids, because the storm guard's open minute must survive a restart: its events up to
 * `through` are fed again to a fresh guard, which then decides exactly as before (README).
 */
export interface DeliveryCursor {
  /** Every event up to this id is delivered, held for a digest, given up on, or not wanted. */
  through: number;
  /** The id before the storm guard's open minute: a restart replays (replay_from, through] to rebuild it. */
  replay_from: number;
}

/** A cursor with nothing open: for a new notifier, the journal's last id (it starts from now). */
export const cursorAt = (id: number): DeliveryCursor => ({ through: id, replay_from: id });

/**
 * What a loop saves and a loop starts from: the cursor and the status counters, written together
 * (one row, one statement), so the counters a restart goes on from are those of that cursor.
 */
export interface SavedProgress {
  cursor: DeliveryCursor;
  counters: DeliveryCounters;
}

/** One notifier's saved progress. A save never moves it back (notifier-repository.ts). */
export interface CursorStore {
  load(): Promise<SavedProgress>;
  save(progress: SavedProgress): Promise<void>;
}
