export const DELIVERY_STATES = ['starting', 'idle', 'sending', 'backing_off', 'stopped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * A notifier's `status` (SPEC 14) and a little more. The counters (`DeliveryCounters`) are the
 * notifier's since it was created: they are saved with its cursor, behind the loop, and a loop
 * goes on from the saved ones after a restart or a cluster take-over (so they may lack the last
 * 250 ms of a node that crashed). `state`, `pending`, `retrying` and `cursor` are the running
 * loop's own.
 */
export interface DeliveryStatus {
  state: DeliveryState;
  /** Messages delivered since the notifier was created. */
  delivered: number;
  /** Messages waiting: wanted events of the page read ahead (up to `pageSize`) plus digests due. */
  pending: number;
  /** Failed attempts since the notifier was created. */
  failed_attempts: number;
  /** The last failure: of an attempt, of the loop, or of saving the cursor. */
  last_error: string | null;
  last_error_at: string | null;
  last_delivered_at: string | null;
  last_delivered_id: number | null;
  /** Messages given up on after failing for 24 h since they were born, and the last one's id. */
  abandoned: number;
  last_abandoned_id: number | null;
  /** The message at the head while it fails: its key, failures in a row and the next try (this loop's only). */
  retrying: { key: string; failures: number; next_attempt_at: string } | null;
  cursor: number;
}

/** The part of the status kept in the notifier's row with its cursor (`status_*` columns). */
export type DeliveryCounters = Pick<
  DeliveryStatus,
  | 'delivered'
  | 'failed_attempts'
  | 'abandoned'
  | 'last_error'
  | 'last_error_at'
  | 'last_delivered_at'
  | 'last_delivered_id'
  | 'last_abandoned_id'
>;

/** The counters of a notifier that has done nothing yet: a new one. */
export const NOTHING_YET: Readonly<DeliveryCounters> = Object.freeze({
  delivered: 0,
  failed_attempts: 0,
  abandoned: 0,
  last_error: null,
  last_error_at: null,
  last_delivered_at: null,
  last_delivered_id: null,
  last_abandoned_id: null,
});

/** Just the counters of a status (a copy: what a save takes away must not change under it). */
export const countersOf = (s: DeliveryCounters): DeliveryCounters => ({
  delivered: s.delivered,
  failed_attempts: s.failed_attempts,
  abandoned: s.abandoned,
  last_error: s.last_error,
  last_error_at: s.last_error_at,
  last_delivered_at: s.last_delivered_at,
  last_delivered_id: s.last_delivered_id,
  last_abandoned_id: s.last_abandoned_id,
});
