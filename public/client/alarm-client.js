/**
 * The streaming client of the plant alarm server (SPEC 5-7): WebSocket first, Server-Sent
 * Events when a WebSocket cannot open, reconnects with backoff and resumes from the last event
 * id, so no journaled event is lost or delivered twice. Plain ES modules, no build step: served
 * to browsers as /client/alarm-client.js and imported by Node 20+. Types: alarm-client.d.ts.
 *
 * This entry only re-exports: one module per concept, imports running one way, from
 * close-codes, alarm-client-error, backoff and sse-parser, through websocket-transport and
 * sse-transport, to client.js (AlarmClient).
 */
export { AlarmClientError, ERROR_CODES } from './alarm-client-error.js';
export { backoffDelay } from './backoff.js';
export { AlarmClient } from './client.js';
export { CLOSE_CODES, closeAction } from './close-codes.js';
export { createSseParser } from './sse-parser.js';
