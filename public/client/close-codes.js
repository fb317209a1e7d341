/** WebSocket close codes of SPEC 6 (the server's src/hub/close-codes.ts), plus 1006 for a lost link. */
export const CLOSE_CODES = Object.freeze({
  normal: 1000,
  goingAway: 1001, // server stopping
  abnormal: 1006, // no close frame: the link died, or the upgrade was refused
  policyViolation: 1008, // message flood
  tooBig: 1009,
  internal: 1011,
  slowConsumer: 4008, // resumes with last_event_id and loses nothing
  unauthenticated: 4401, // bad or expired token or ticket
  forbidden: 4403, // a permission is missing
  tooManyStreams: 4429, // MAX_STREAMS_PER_USER reached: retried with backoff like a dropped link
});

/** How a transport ended: `code` (WebSocket close code) or `status` (HTTP, SSE and tickets). */
export function closeAction({ code, status }) {
  if (code === CLOSE_CODES.unauthenticated || status === 401) return 'reauth';
  if (code === CLOSE_CODES.forbidden || status === 403) return 'stop';
  return 'reconnect'; // 1001, 1006, 1011, 4008, 4429, a stream that ended, a network error, 429, 5xx...
}
