import type { Context } from 'hono';

/**
 * The peer address of a request. @hono/node-server puts the Node request in `c.env.incoming`;
 * requests made with `app.request()` in tests have none.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
