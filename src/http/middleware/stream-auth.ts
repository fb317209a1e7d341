import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { TicketStore } from '../../auth/tickets.js';
import type { TokenService } from '../../auth/tokens.js';
import type { Db } from '../../db/database.js';
import type { StreamUser } from '../../hub/client.js';
import { sessionFromToken, userById } from './auth.js';
import { requestScheme } from './request-scheme.js';

export interface StreamAuthDeps {
  db: Db;
  tokens: TokenService;
  tickets: TicketStore;
}

/** A stream's user and when its credentials lapse (the stream is closed then). */
export interface StreamSession {
  user: StreamUser;
  expiresAt: number;
}

/** Resolves a bearer token to a session; undefined when it is not valid now (expired, revoked). */
export const streamSession = (deps: StreamAuthDeps, token: string): Promise<StreamSession | undefined> =>
  sessionFromToken(deps.db, deps.tokens, token);

/** Spends a ticket; the stream lasts as long as the token that asked for the ticket. */
async function sessionFromTicket(deps: StreamAuthDeps, ticket: string): Promise<StreamSession | undefined> {
  const grant = await deps.tickets.consume(ticket);
  const user = grant && (await userById(deps.db, grant.userId));
  return user && user.tokenVersion === grant!.tokenVersion ? { user, expiresAt: grant!.sessionExpiresAt } : undefined;
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
  if (bearer) return (await streamSession(deps, bearer)) ?? 'invalid';
  const ticket = c.req.query('ticket');
  if (ticket) return (await sessionFromTicket(deps, ticket)) ?? 'invalid';
  const cookie = allowCookie ? getCookie(c, 'session') : undefined;
  if (cookie) return (await streamSession(deps, cookie)) ?? 'invalid';
  return 'none';
}

/** Which browser origins may open streams. */
export interface OriginPolicy {
  /** ALLOWED_ORIGINS: exact origins such as https://scada.example.com. */
  allowed: readonly string[];
  /** The server listens on loopback only, so its own origin can only name a loopback host. */
  loopbackOnly: boolean;
}

/** A loopback host name or address, bare or in URL brackets (`::1`, `[::1]`). */
export const isLoopbackHost = (host: string) => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);

/**
 * Browsers send Origin on WebSocket and EventSource requests; a page from another site must not
 * ride on the user's cookie or ticket. Requests without Origin (scripts, apps) pass. Besides the
 * listed origins, the server's own passes: the request's scheme and Host. The Host header is the
 * attacker's to choose after a DNS rebinding, so a loopback-bound server takes only loopback hosts.
 */
export function originAllowed(c: Context, policy: OriginPolicy): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true;
  if (policy.allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = c.req.header('host');
  if (!host || url.host !== host.toLowerCase()) return false;
  if (url.protocol !== `${requestScheme(c)}:`) return false;
  return !policy.loopbackOnly || isLoopbackHost(url.hostname);
}
