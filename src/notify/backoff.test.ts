import { describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_MS, MAX_RETRY_MS, deadlineOf, nextAttempt, retryDelay, retryStep } from './backoff.js';

describe('retryStep', () => {
  it('starts at 1 s and doubles up to 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50, 1e6].map(retryStep)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });
});

describe('retryDelay', () => {
  it.each([
    [1, 0, 500],
    [1, 0.5, 750],
    [1, 1, 1_000],
    [4, 0, 4_000],
    [4, 0.25, 5_000],
    [30, 0, 150_000],
    [30, 1, 300_000],
  ])('failure %i with random %d waits %i ms', (failures, r, expected) => {
    expect(retryDelay(failures, () => r)).toBe(expected);
  });
});

describe('nextAttempt', () => {
  const born = Date.parse('2026-03-02T08:00:00.000Z');
  const deadline = deadlineOf(born);

  it('retries after the jittered step', () => {
    expect(nextAttempt(1, deadline, born, () => 0.5)).toEqual({ kind: 'retry', at: born + 750 });
  });

  it('pulls the last retry in to the deadline, then gives up', () => {
    expect(nextAttempt(40, deadline, deadline - 1_000, () => 1)).toEqual({ kind: 'retry', at: deadline });
    expect(nextAttempt(41, deadline, deadline, () => 1)).toEqual({ kind: 'give_up' });
    expect(nextAttempt(1, deadline, deadline + 5, () => 1)).toEqual({ kind: 'give_up' });
  });

  it('keeps a failing message going for 24 h from its birth, at most 5 min apart', () => {
    let now = born;
    const tries = [now];
    for (let failures = 1; ; failures++) {
      const next = nextAttempt(failures, deadline, now, () => 0.5);
      if (next.kind === 'give_up') break;
      now = next.at;
      tries.push(now);
    }
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    expect(gaps.slice(0, 4)).toEqual([750, 1_500, 3_000, 6_000]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MAX_RETRY_MS);
    expect(tries.at(-1)).toBe(born + GIVE_UP_AFTER_MS);
    expect(tries.length).toBeGreaterThan(300); // about one every 3.75 min for a day
  });
});
