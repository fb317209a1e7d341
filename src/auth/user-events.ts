import type { User } from './user.js';
import type { NewEvent } from '../journal/events.js';
import { changesOf } from '../kernel/changes.js';

/** The `audit` topic's events (SPEC 13), plus `sign_in_failed` (README, "Audit"). */
export type AuditEventType = 'user_created' | 'user_updated' | 'user_deleted' | 'signed_in' | 'signed_out' | 'sign_in_failed';

/** How a new password shows in `changes`: that it changed, never what to. */
const HIDDEN = '***';

/**
 * An `audit` event: `user` is who acted (null: unknown, as for a failed sign-in), `target` the
 * username acted on (null: no such account). Fields are named one by one, so no password, hash or token can slip in.
 */
export function auditEvent(
  type: AuditEventType,
  user: string | null,
  target: string | null,
  details: Record<string, unknown> = {},
): NewEvent {
  return { topic: 'audit', type, payload: { user, target, ...details } };
}

/** What an account edit changed (`{"<field>": [before, after]}`); a new password only as `***`. */
export function accountChanges(before: User, after: User, newPassword: boolean): Record<string, [unknown, unknown]> {
  const changes = changesOf(before, after);
  if (newPassword) changes['password'] = [HIDDEN, HIDDEN];
  return changes;
}
