import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { Logger } from '../../log/logger.js';
import type { Histogram } from '../../ops/histogram.js';

/** A caller's own request id is kept when it is plausible, so one id follows a call across systems. */
const CALLER_ID = /^[\w.:-]{1,64}$/;

/**
 * One line per request (method, route, path without its query, status, duration, user, request
 * id) and its duration in the histogram. The query is left out: stream URLs carry tickets and
 * tokens there. `x-request-id` is answered on every response. Health probes are not logged: a
 * supervisor asks every few seconds, and the answer is in `/healthz` itself.
 */
export function requestLog(log: Logger, durations: Histogram) {
  return createMiddleware(async function logRequest(c, next) {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const id = given !== undefined && CALLER_ID.test(given) ? given : randomUUID();
    c.header('x-request-id', id); // before the answer is made: a stream's headers are gone once it starts
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      durations.observe(ms);
      if (c.req.path !== '/healthz') {
        const user = (c.get('user' as never) as { username?: string } | undefined)?.username ?? null;
        log.info(`${c.req.method} ${c.req.path} ${c.res.status}`, {
          req_id: id,
          method: c.req.method,
          route: c.req.routePath,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(ms * 10) / 10,
          user,
        });
      }
    }
  });
}
