import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { TicketStore } from '../auth/tickets.js';
import type { TokenService } from '../auth/tokens.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { StreamUser } from '../hub/client.js';
import { userById } from './auth-middleware.js';

export interface StreamAuthDeps {
  db: Db;
  tokens: TokenService;
  tickets: TicketStore;
  clock: Clock;
}

/** A stream's user and when its credentials lapse (the stream is closed then). */
export interface StreamSession {
  user: StreamUser;
  expiresAt: number;
}

/** Resolves a bearer token to a session; undefined when it is not valid now. */
export async function sessionFromToken(deps: StreamAuthDeps, token: string): Promise<StreamSession | undefined> {
  const claims = await deps.tokens.verify(token);
  const user = claims && (await userById(deps.db, claims.userId));
  return user && { user, expiresAt: claims.exp * 1000 };
}

/**
 * Credentials on a stream request: `Authorization: Bearer`, `?ticket=`, or (SSE only) the
 * `session` cookie. 'none' means none was offered; 'invalid' that one was and failed.
 */
export async function authenticateStream(
  c: Context,
  deps: StreamAuthDeps,
  allowCookie: boolean,
): Promise<StreamSession | 'none' | 'invalid'> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (bearer) return (await sessionFromToken(deps, bearer)) ?? 'invalid';
  const ticket = c.req.query('ticket');
  if (ticket) {
    const userId = deps.tickets.consume(ticket);
    const user = userId === undefined ? undefined : await userById(deps.db, userId);
    // A ticket opens a stream for as long as a token would have lasted.
    return user ? { user, expiresAt: deps.clock.now() + deps.tokens.ttlS * 1000 } : 'invalid';
  }
  const cookie = allowCookie ? getCookie(c, 'session') : undefined;
  if (cookie) return (await sessionFromToken(deps, cookie)) ?? 'invalid';
  return 'none';
}

/**
 * Browsers send Origin on WebSocket and EventSource requests; a page from another site must not
 * ride on the user's cookie or ticket. Requests without Origin (scripts, apps) pass.
 */
export function originAllowed(c: Context, allowed: readonly string[]): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}
