/** Exponential backoff with full jitter: spreads retries of many clients over the whole window. */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** A delay in [0, min(maxMs, baseMs * 2^(attempt-1))] for attempt 1, 2, ... */
export function fullJitter(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const window = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.floor(random() * window);
}

/**
 * Delay before reconnect attempt `failures` to a PLC: never sooner than one poll interval
 * (retrying faster than we poll helps nobody), growing up to `maxMs`.
 */
export function reconnectDelay(failures: number, pollIntervalMs: number, maxMs: number, random: () => number): number {
  const jitter = fullJitter(failures, { baseMs: pollIntervalMs, maxMs }, random);
  return Math.max(pollIntervalMs, jitter);
}
