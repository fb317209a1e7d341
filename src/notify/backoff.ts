/** When to try a failed notification again (SPEC 14): 1 s doubling to 5 min, jittered, for 24 h. */

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 5 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;

/** The step after failure `failures` (1, 2, ...): 1 s, 2 s, 4 s ... capped at 5 min. */
export function retryStep(failures: number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** exponent);
}

/**
 * The step jittered into its upper half ("equal jitter"): notifiers that failed together
 * spread out, yet a retry never comes sooner than half its step, so a dead endpoint is not
 * hammered the way full jitter's near-zero draws would.
 */
export function retryDelay(failures: number, random: () => number): number {
  const step = retryStep(failures);
  return Math.round(step / 2 + (step / 2) * random());
}

export type NextAttempt = { kind: 'retry'; at: number } | { kind: 'give_up' };

/**
 * After failure `failures` at `now`: retry, or give up once `deadline` has passed. The last
 * retry is pulled in to the deadline, so a message gets its full 24 h and not a minute more.
 */
export function nextAttempt(failures: number, deadline: number, now: number, random: () => number): NextAttempt {
  if (now >= deadline) return { kind: 'give_up' };
  return { kind: 'retry', at: Math.min(now + retryDelay(failures, random), deadline) };
}

/**
 * A message's deadline: 24 h after it was born (an event's journal `ts`, a digest's minute end).
 * It comes from the message, not from when this process first tried it, so a restart does not
 * grant a failing message another 24 h, and a backlog behind a long dead endpoint drains with
 * one try per stale message instead of 24 h each.
 */
export const deadlineOf = (bornMs: number) => bornMs + GIVE_UP_AFTER_MS;
