import { describe, expect, it } from 'vitest';
import { fullJitter, reconnectDelay } from './backoff.js';

describe('fullJitter', () => {
  const opts = { baseMs: 100, maxMs: 1000 };

  it('doubles the window per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((a) => fullJitter(a, opts, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('can be anywhere from zero', () => {
    expect(fullJitter(3, opts, () => 0)).toBe(0);
    expect(fullJitter(3, opts, () => 0.5)).toBe(200);
  });
});

describe('reconnectDelay', () => {
  it('never retries sooner than the poll interval', () => {
    expect(reconnectDelay(1, 200, 30_000, () => 0)).toBe(200);
    expect(reconnectDelay(6, 200, 30_000, () => 0.5)).toBe(3200);
    expect(reconnectDelay(20, 200, 30_000, () => 1)).toBe(30_000);
  });
});
