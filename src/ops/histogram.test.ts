import { describe, expect, it } from 'vitest';
import { createHistogram, histogramLines } from './histogram.js';

describe('latency histogram', () => {
  it('counts cumulatively per bound and renders seconds for Prometheus', () => {
    const h = createHistogram('x_seconds', 'Test.', [1, 10, 100]);
    for (const ms of [0.5, 1, 7, 50, 5000]) h.observe(ms);
    expect(h.snapshot()).toEqual({
      buckets: [
        [1, 2],
        [10, 3],
        [100, 4],
      ],
      sum: 5058.5,
      count: 5,
    });
    expect(histogramLines(h)).toEqual([
      '# HELP x_seconds Test.',
      '# TYPE x_seconds histogram',
      'x_seconds_bucket{le="0.001"} 2',
      'x_seconds_bucket{le="0.01"} 3',
      'x_seconds_bucket{le="0.1"} 4',
      'x_seconds_bucket{le="+Inf"} 5',
      'x_seconds_sum 5.0585',
      'x_seconds_count 5',
    ]);
  });
});

describe('merging counts from another thread', () => {
  it('adds per-bucket counts and the overflow to what was observed here', () => {
    const h = createHistogram('x_seconds', 'Test.', [1, 10]);
    h.observe(5);
    h.merge([2, 0, 1], 20.5); // two up to 1 ms, one above 10 ms
    h.merge([0, 3, 0], 15);
    expect(h.snapshot()).toEqual({
      buckets: [
        [1, 2],
        [10, 6],
      ],
      sum: 40.5,
      count: 7,
    });
  });

  it('refuses counts made for other bounds', () => {
    const h = createHistogram('x_seconds', 'Test.', [1, 10]);
    expect(() => h.merge([1, 2], 3)).toThrow(RangeError);
    expect(h.snapshot().count).toBe(0);
  });
});
