import type { Context } from 'hono';

/**
 * The scheme the browser used: `x-forwarded-proto` when a TLS-terminating proxy says so, else
 * the request's own. Trusting the header is safe for what it decides here (a cookie's Secure
 * flag, a same-origin check): a browser page cannot set it, and a script could lie anyway.
 */
export function requestScheme(c: Context): 'http' | 'https' {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') return forwarded;
  return new URL(c.req.url).protocol === 'https:' ? 'https' : 'http';
}
