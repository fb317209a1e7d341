import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';

const TICKET_TTL_MS = 30_000;

/** What a ticket stands for: the user, the token version it was issued under, and when the token behind it expires. */
export interface TicketGrant {
  userId: number;
  tokenVersion: number;
  /** A stream opened with the ticket lasts no longer than the token that asked for it. */
  sessionExpiresAt: number;
}

/**
 * One-time tickets for opening a stream from a browser, which cannot set headers on
 * WebSocket or EventSource requests. A ticket works once, within 30 s.
 */
export interface TicketStore {
  readonly ttlS: number;
  issue(grant: TicketGrant): Promise<string>;
  /** What the ticket was issued for, or undefined; either way the ticket is spent. */
  consume(ticket: string): Promise<TicketGrant | undefined>;
}

/** Tickets of one node, in memory. */
export function createTicketStore(clock: Clock, randomToken: () => string): TicketStore {
  // Insertion order is expiry order (one TTL for all), so expired tickets are at the front.
  const tickets = new Map<string, TicketGrant & { expiresAt: number }>();

  function sweep(now: number) {
    for (const [ticket, t] of tickets) {
      if (t.expiresAt > now) return;
      tickets.delete(ticket);
    }
  }

  return {
    ttlS: TICKET_TTL_MS / 1000,
    async issue(grant) {
      const now = clock.now();
      sweep(now);
      const ticket = randomToken();
      tickets.set(ticket, { ...grant, expiresAt: now + TICKET_TTL_MS });
      return ticket;
    },
    async consume(ticket) {
      const t = tickets.get(ticket);
      tickets.delete(ticket);
      return t && t.expiresAt > clock.now()
        ? { userId: t.userId, tokenVersion: t.tokenVersion, sessionExpiresAt: t.sessionExpiresAt }
        : undefined;
    },
  };
}

/**
 * Tickets of a cluster, in the database: issued on one node, valid on any, once (the delete
 * that spends a ticket is the one that finds it).
 */
export function databaseTicketStore(db: Db, clock: Clock, randomToken: () => string): TicketStore {
  return {
    ttlS: TICKET_TTL_MS / 1000,
    async issue(grant) {
      const now = clock.now();
      const ticket = randomToken();
      await db.deleteFrom('stream_tickets').where('expires_at', '<=', now).execute();
      await db
        .insertInto('stream_tickets')
        .values({
          ticket,
          user_id: grant.userId,
          token_version: grant.tokenVersion,
          session_expires_at: grant.sessionExpiresAt,
          expires_at: now + TICKET_TTL_MS,
        })
        .execute();
      return ticket;
    },
    async consume(ticket) {
      const t = await db.deleteFrom('stream_tickets').where('ticket', '=', ticket).returningAll().executeTakeFirst();
      return t && t.expires_at > clock.now()
        ? { userId: t.user_id, tokenVersion: t.token_version, sessionExpiresAt: t.session_expires_at }
        : undefined;
    },
  };
}
