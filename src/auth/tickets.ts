import type { Clock } from '../clock.js';

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
export function createTicketStore(clock: Clock, randomToken: () => string) {
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
    issue(grant: TicketGrant): string {
      const now = clock.now();
      sweep(now);
      const ticket = randomToken();
      tickets.set(ticket, { ...grant, expiresAt: now + TICKET_TTL_MS });
      return ticket;
    },
    /** What the ticket was issued for, or undefined; either way the ticket is spent. */
    consume(ticket: string): TicketGrant | undefined {
      const t = tickets.get(ticket);
      tickets.delete(ticket);
      return t && t.expiresAt > clock.now() ? t : undefined;
    },
  };
}

export type TicketStore = ReturnType<typeof createTicketStore>;
