import { describe, expect, it } from 'vitest';
import { bucketWidth, createBucketMerger, MAX_BUCKETS } from './trend-buckets.js';

const M0 = Date.parse('2026-03-02T08:00:00.000Z') / 60_000;
const DAY = 1440;
const iso = (minute: number) => new Date(minute * 60_000).toISOString();

describe('bucketWidth', () => {
  const cases: [string, number, number][] = [
    ['an hour: 1 minute', 60, 1],
    ['a day: 1 minute', DAY, 1],
    ['2000 minutes: still 1 minute', 2000, 1],
    ['7 days: 10 minutes', 7 * DAY, 10],
    ['30 days: 30 minutes', 30 * DAY, 30],
    ['90 days: 2 hours', 90 * DAY, 120],
    ['a leap year: 6 hours', 366 * DAY, 360],
  ];
  it.each(cases)('%s', (_name, minutes, width) => {
    expect(bucketWidth(M0, M0 + minutes)).toBe(width);
  });

  it('counts the partial bucket that alignment adds', () => {
    expect(bucketWidth(M0, M0 + 4000)).toBe(2); // 2000 two-minute buckets
    expect(bucketWidth(M0 + 1, M0 + 1 + 4000)).toBe(3); // starting mid-bucket, two minutes would need 2001
  });

  it('never exceeds MAX_BUCKETS over a year, wherever it starts', () => {
    for (let start = M0; start < M0 + DAY; start += 37) {
      const width = bucketWidth(start, start + 366 * DAY);
      expect(Math.ceil((start + 366 * DAY - Math.floor(start / width) * width) / width)).toBeLessThanOrEqual(MAX_BUCKETS);
    }
  });
});

type Minute = [minute: number, min: number, max: number, avg: number, last: number, weight: number];

function merge(from: number, to: number, minutes: Minute[]) {
  const merger = createBucketMerger(from, to);
  for (const m of minutes) merger.add(...m);
  return merger.buckets();
}

describe('merging minutes into buckets', () => {
  it('one-minute buckets are the minutes themselves, oldest first, empty minutes left out', () => {
    const got = merge(M0, M0 + 60, [
      [M0 + 5, 1, 2, 1.5, 2, 60_000],
      [M0, 3, 4, 3.5, 4, 60_000],
    ]);
    expect(got).toEqual([
      { t: iso(M0), min: 3, max: 4, avg: 3.5, last: 4 },
      { t: iso(M0 + 5), min: 1, max: 2, avg: 1.5, last: 2 },
    ]);
  });

  const wide: [string, Minute[], { min: number; max: number; avg: number; last: number }][] = [
    [
      'min of mins, max of maxes',
      [
        [M0, 5, 9, 7, 8, 60_000],
        [M0 + 1, 2, 6, 4, 3, 60_000],
      ],
      { min: 2, max: 9, avg: 5.5, last: 3 },
    ],
    [
      'avg weighed by good time',
      [
        [M0, 10, 10, 10, 10, 60_000],
        [M0 + 1, 40, 40, 40, 40, 20_000],
      ],
      { min: 10, max: 40, avg: 17.5, last: 40 },
    ],
    [
      'last of the latest minute, whatever the order read',
      [
        [M0 + 2, 1, 1, 1, 7, 60_000],
        [M0, 1, 1, 1, 9, 60_000],
      ],
      { min: 1, max: 1, avg: 1, last: 7 },
    ],
    [
      'weightless minutes: a plain mean',
      [
        [M0, 2, 2, 2, 2, 0],
        [M0 + 1, 4, 4, 4, 4, 0],
      ],
      { min: 2, max: 4, avg: 3, last: 4 },
    ],
  ];
  it.each(wide)('over 30 days: %s', (_name, minutes, expected) => {
    const got = merge(M0, M0 + 30 * DAY, minutes);
    expect(got).toEqual([{ t: iso(M0), ...expected }]);
  });

  it('aligns wide buckets to the epoch and starts the first one before `from`', () => {
    const from = M0 + 7; // 08:07
    const got = merge(from, from + 30 * DAY, [
      [from, 1, 1, 1, 1, 1],
      [M0 + 31, 2, 2, 2, 2, 1],
    ]);
    expect(got.map((b) => b.t)).toEqual([iso(M0), iso(M0 + 30)]);
  });

  it('takes the last of a fresh (unpacked) part of a minute over its packed part, in either order', () => {
    const packedFirst: [fresh: boolean, value: number][] = [
      [false, 1],
      [true, 2],
    ];
    for (const parts of [packedFirst, [...packedFirst].reverse()]) {
      const merger = createBucketMerger(M0, M0 + 60);
      for (const [fresh, value] of parts) merger.add(M0, value, value, value, value, 30_000, fresh);
      expect(merger.buckets()).toEqual([{ t: iso(M0), min: 1, max: 2, avg: 1.5, last: 2 }]);
    }
  });

  it('ignores minutes outside the range', () => {
    expect(
      merge(M0, M0 + 60, [
        [M0 - 1, 1, 1, 1, 1, 1],
        [M0 + 60, 1, 1, 1, 1, 1],
      ]),
    ).toEqual([]);
  });

  it('a year of minutes comes out as at most 2000 buckets', () => {
    const merger = createBucketMerger(M0, M0 + 366 * DAY);
    for (let m = M0; m < M0 + 366 * DAY; m++) merger.add(m, 1, 2, 1.5, 2, 60_000);
    const buckets = merger.buckets();
    expect(buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(buckets.length).toBe(1465); // 6-hour buckets; 08:00 starts mid-bucket, so one more
    expect(buckets.every((b) => b.avg === 1.5)).toBe(true);
  });
});
