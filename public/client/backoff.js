/**
 * The delay before reconnect attempt `attempt` (0 first): exponential with full jitter over
 * [min, min + min * 2^attempt], capped at max, as centrifuge-js does. Clients that all lost the
 * same server spread out instead of returning together.
 */
export function backoffDelay(attempt, minMs = 500, maxMs = 20_000, random = Math.random) {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 31));
  return Math.min(maxMs, minMs + Math.floor(random() * ceiling));
}
