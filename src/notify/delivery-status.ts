export const DELIVERY_STATES = ['starting', 'idle', 'sending', 'backing_off', 'stopped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A notifier's `status` (SPEC 14) and a little more. */
export interface DeliveryStatus {
  state: DeliveryState;
  /** Messages delivered since start. */
  delivered: number;
  /** Messages waiting: wanted events of the page read ahead (up to `pageSize`) plus digests due. */
  pending: number;
  /** Failed attempts since start. */
  failed_attempts: number;
  last_error: string | null;
  last_error_at: string | null;
  last_delivered_at: string | null;
  last_delivered_id: number | null;
  /** Messages given up on after failing for 24 h since they were born, and the last one's id. */
  abandoned: number;
  last_abandoned_id: number | null;
  /** The message at the head while it fails: its key, failures in a row and the next try. */
  retrying: { key: string; failures: number; next_attempt_at: string } | null;
  cursor: number;
}

/** The counters of a loop that has delivered nothing yet. */
export const NOTHING_YET: Omit<DeliveryStatus, 'state' | 'pending' | 'cursor'> = Object.freeze({
  delivered: 0,
  failed_attempts: 0,
  last_error: null,
  last_error_at: null,
  last_delivered_at: null,
  last_delivered_id: null,
  abandoned: 0,
  last_abandoned_id: null,
  retrying: null,
});
