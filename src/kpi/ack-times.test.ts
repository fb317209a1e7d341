import { describe, expect, it } from 'vitest';
import { ackDelays, percentile } from './ack-times.js';

const delays = (annunciations: number[], acks: number[]) => {
  const into: number[] = [];
  ackDelays(annunciations, acks, into);
  return into;
};

describe('time from an annunciation to the ack that followed it', () => {
  it.each([
    ['acked once', [100], [130], [30]],
    ['never acked', [100], [], []],
    ['an ack before the annunciation answers an earlier one', [100], [50], []],
    ['each annunciation its own ack', [100, 500], [130, 560], [30, 60]],
    ['one ack answers every annunciation still waiting', [100, 200], [250], [150, 50]],
    ['the last annunciation not acked yet', [100, 500], [130], [30]],
    ['acked the same millisecond', [100], [100], [0]],
  ])('%s', (_, annunciations, acks, expected) => {
    expect(delays(annunciations, acks)).toEqual(expected);
  });
});

describe('nearest-rank percentiles', () => {
  it.each([
    [[], 50, null],
    [[7], 50, 7],
    [[7], 90, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5], 50, 3],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, 10],
  ])('of %j, p%i is %s', (sorted, p, expected) => {
    expect(percentile(sorted, p)).toBe(expected);
  });
});
