import { describe, expect, it } from 'vitest';
import { ROUND_TRIP_BOUNDS_MS } from './protocol.js';
import { createRoundTripCounter } from './round-trips.js';

describe('round-trip counter', () => {
  it('counts a round trip in the first bucket whose bound it does not exceed, above the last in the overflow', () => {
    const c = createRoundTripCounter();
    for (const ms of [0.05, 0.1, 0.3, 7, 10_000, 60_000]) c.observe(ms);
    const taken = c.take();
    // bounds 0.1, 0.25, 0.5, 1, 2.5, 5, 10, ... 10000, then the overflow
    expect(taken?.counts).toEqual([2, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(taken?.counts).toHaveLength(ROUND_TRIP_BOUNDS_MS.length + 1);
    expect(taken?.sum_ms).toBeCloseTo(70_007.45, 9);
  });

  it('starts from zero after each take, and has nothing to report without round trips', () => {
    const c = createRoundTripCounter();
    expect(c.take()).toBeUndefined();
    c.observe(2);
    expect(c.take()?.counts.reduce((a, b) => a + b)).toBe(1);
    expect(c.take()).toBeUndefined();
    c.observe(3);
    expect(c.take()).toMatchObject({ sum_ms: 3 });
  });
});
