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

export interface CursorStore {
  load(): Promise<DeliveryCursor>;
  save(cursor: DeliveryCursor): Promise<void>;
}
