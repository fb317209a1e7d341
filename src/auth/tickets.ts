import type { Clock } from '../clock.js';

const TICKET_TTL_MS = 30_000;

/**
 * One-time tickets for opening a stream from a browser, which cannot set headers on
 * WebSocket or EventSource requests. A ticket works once, within 30 s.
 */
export function createTicketStore(clock: Clock, randomToken: () => string) {
  const tickets = new Map<string, { userId: number; expiresAt: number }>();

  function sweep(now: number) {
    for (const [ticket, t] of tickets) if (t.expiresAt <= now) tickets.delete(ticket);
  }

  return {
    ttlS: TICKET_TTL_MS / 1000,
    issue(userId: number): string {
      const now = clock.now();
      sweep(now);
      const ticket = randomToken();
      tickets.set(ticket, { userId, expiresAt: now + TICKET_TTL_MS });
      return ticket;
    },
    /** The user the ticket was issued to, or undefined; either way the ticket is spent. */
    consume(ticket: string): number | undefined {
      const t = tickets.get(ticket);
      tickets.delete(ticket);
      return t && t.expiresAt > clock.now() ? t.userId : undefined;
    },
  };
}

export type TicketStore = ReturnType<typeof createTicketStore>;
