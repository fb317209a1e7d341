/**
 * A token bucket, to tell a busy client from a flood: `burst` messages at once, refilled at
 * `perSecond`. Pure; its two numbers live in the connection that uses it (one object fewer per
 * idle connection than a bucket of its own).
 */
export interface Bucket {
  readonly burst: number;
  readonly perSecond: number;
}

/** Tokens after `elapsedMs` since the bucket held `tokens`. */
export const refilled = (b: Bucket, tokens: number, elapsedMs: number): number =>
  Math.min(b.burst, tokens + (elapsedMs / 1000) * b.perSecond);
