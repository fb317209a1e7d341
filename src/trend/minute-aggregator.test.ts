import { describe, expect, it } from 'vitest';
import { createMinuteAggregator, MINUTE_MS, type MinuteRows } from './minute-aggregator.js';

const T = Date.parse('2026-03-02T08:00:00.000Z');
const MINUTE = T / MINUTE_MS;

type Sample = [offsetMs: number, id: number, value: number | null];
interface Row {
  min: number;
  max: number;
  avg: number;
  last: number;
  weight: number;
}

/** The rows of a closed minute by datapoint id, for comparing with a table. */
function byId(rows: MinuteRows | null): Record<number, Row> {
  const out: Record<number, Row> = {};
  for (let i = 0; i < (rows?.count ?? 0); i++) {
    out[rows!.ids[i]!] = { min: rows!.min[i]!, max: rows!.max[i]!, avg: rows!.avg[i]!, last: rows!.last[i]!, weight: rows!.weight[i]! };
  }
  return out;
}

function minuteOf(samples: Sample[]) {
  const agg = createMinuteAggregator(T + 123);
  for (const [at, id, value] of samples) agg.sample(id, value, T + at);
  return agg;
}

describe('a minute of samples', () => {
  const row = (min: number, max: number, avg: number, last: number, weight: number): Row => ({ min, max, avg, last, weight });
  const cases: [string, Sample[], Record<number, Row>][] = [
    ['one value held all minute', [[0, 1, 10]], { 1: row(10, 10, 10, 10, 60_000) }],
    [
      'a change half-way: each value counts for its half',
      [
        [0, 1, 10],
        [30_000, 1, 20],
      ],
      { 1: row(10, 20, 15, 20, 60_000) },
    ],
    [
      'a one-second spike barely moves the average',
      [
        [0, 1, 10],
        [59_000, 1, 100],
      ],
      { 1: row(10, 100, 11.5, 100, 60_000) },
    ],
    ['the first value comes mid-minute: weighs from then', [[15_000, 1, 4]], { 1: row(4, 4, 4, 4, 45_000) }],
    [
      'bad quality ends the holding',
      [
        [0, 1, 10],
        [20_000, 1, null],
      ],
      { 1: row(10, 10, 10, 10, 20_000) },
    ],
    [
      'good after bad counts from then',
      [
        [0, 1, null],
        [30_000, 1, 6],
      ],
      { 1: row(6, 6, 6, 6, 30_000) },
    ],
    [
      'good, bad, good',
      [
        [0, 1, 10],
        [10_000, 1, null],
        [40_000, 1, 30],
      ],
      { 1: row(10, 30, (10 * 10_000 + 30 * 20_000) / 30_000, 30, 30_000) },
    ],
    ['only bad: no row', [[0, 1, null]], {}],
    [
      'NaN and Infinity are not good values',
      [
        [0, 1, Number.NaN],
        [1000, 2, Infinity],
      ],
      {},
    ],
    [
      'negative values',
      [
        [0, 1, -5],
        [30_000, 1, -15],
      ],
      { 1: row(-15, -5, -10, -15, 60_000) },
    ],
    [
      'datapoints apart',
      [
        [0, 1, 1],
        [0, 2, 2],
        [30_000, 2, 4],
      ],
      { 1: row(1, 1, 1, 1, 60_000), 2: row(2, 4, 3, 4, 60_000) },
    ],
  ];
  it.each(cases)('%s', (_name, samples, expected) => {
    const rows = minuteOf(samples).closeEnded(T + MINUTE_MS);
    expect(rows?.minute).toBe(MINUTE);
    expect(byId(rows)).toEqual(expected);
  });

  it('is not closed before it ends', () => {
    expect(minuteOf([[0, 1, 1]]).closeEnded(T + MINUTE_MS - 1)).toBeNull();
  });
});

describe('minutes after', () => {
  it('carry a held value into the next minute, and not a value that went bad', () => {
    const agg = minuteOf([
      [0, 1, 10],
      [0, 2, 5],
      [50_000, 2, null],
    ]);
    agg.closeEnded(T + MINUTE_MS);
    const next = agg.closeEnded(T + 2 * MINUTE_MS);
    expect(next?.minute).toBe(MINUTE + 1);
    expect(byId(next)).toEqual({ 1: { min: 10, max: 10, avg: 10, last: 10, weight: 60_000 } });
  });

  it('start from the carried value: a change widens min and max from it', () => {
    const agg = minuteOf([[0, 1, 10]]);
    agg.closeEnded(T + MINUTE_MS);
    agg.sample(1, 40, T + MINUTE_MS + 45_000);
    expect(byId(agg.closeEnded(T + 2 * MINUTE_MS))).toEqual({ 1: { min: 10, max: 40, avg: 17.5, last: 40, weight: 60_000 } });
  });

  it('after a stall, the minutes in between are not invented', () => {
    const agg = minuteOf([[0, 1, 10]]);
    const first = agg.closeEnded(T + 3.5 * MINUTE_MS);
    expect(first?.minute).toBe(MINUTE);
    expect(agg.minuteEnd).toBe(T + 4 * MINUTE_MS);
    const resumed = agg.closeEnded(T + 4 * MINUTE_MS);
    expect(resumed?.minute).toBe(MINUTE + 3);
    expect(byId(resumed)[1]?.weight).toBe(30_000); // held from when the clock was seen again
  });

  it('of a datapoint no longer polled here: this minute is kept, the value is not carried on', () => {
    const agg = minuteOf([
      [0, 1, 10],
      [0, 2, 20],
    ]);
    agg.sample(3, null, T); // bad, and then deleted: its slot goes too
    agg.keepOnly(new Set([2]));
    expect(Object.keys(byId(agg.closeEnded(T + MINUTE_MS)))).toEqual(['1', '2']);
    expect(Object.keys(byId(agg.closeEnded(T + 2 * MINUTE_MS)))).toEqual(['2']);
    // Polled here again (the lease came back): a new value starts it afresh.
    agg.sample(1, 3, T + 2 * MINUTE_MS);
    expect(byId(agg.closeEnded(T + 3 * MINUTE_MS))[1]).toEqual({ min: 3, max: 3, avg: 3, last: 3, weight: 60_000 });
  });

  it('at shutdown, the unfinished minute so far; what follows counts from then', () => {
    const agg = minuteOf([[0, 1, 10]]);
    const partial = agg.closePartial(T + 20_000);
    expect(partial.minute).toBe(MINUTE);
    expect(byId(partial)).toEqual({ 1: { min: 10, max: 10, avg: 10, last: 10, weight: 20_000 } });
    expect(byId(agg.closeEnded(T + MINUTE_MS))[1]?.weight).toBe(40_000);
  });
});

describe('many datapoints', () => {
  it('with ids beyond the dense index', () => {
    const agg = createMinuteAggregator(T);
    agg.sample(2 ** 40, 1, T);
    agg.sample(3, 2, T);
    expect(byId(agg.closeEnded(T + MINUTE_MS))).toEqual({
      3: { min: 2, max: 2, avg: 2, last: 2, weight: 60_000 },
      [2 ** 40]: { min: 1, max: 1, avg: 1, last: 1, weight: 60_000 },
    });
  });

  it('grow the slots without losing any', () => {
    const agg = createMinuteAggregator(T);
    for (let id = 1; id <= 5000; id++) agg.sample(id, id / 2, T + id);
    const rows = agg.closeEnded(T + MINUTE_MS)!;
    expect(rows.count).toBe(5000);
    const seen = byId(rows);
    expect(seen[1]).toEqual({ min: 0.5, max: 0.5, avg: 0.5, last: 0.5, weight: 59_999 });
    expect(seen[5000]?.last).toBe(2500);
  });
});
