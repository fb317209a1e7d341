import { describe, expect, it } from 'vitest';
import { addMinute, emptyHour, forEachPackedMinute, packHour, unpackHour } from './hour-pack.js';

type Minute = [i: number, min: number, max: number, avg: number, last: number, weight: number];

function hourOf(minutes: Minute[]) {
  const h = emptyHour();
  for (const m of minutes) addMinute(h, ...m);
  return h;
}

function read(blob: Uint8Array): Minute[] {
  const out: Minute[] = [];
  forEachPackedMinute(blob, (...m) => out.push(m));
  return out;
}

const steady = Array.from({ length: 60 }, (_, i): Minute => [i, 5, 5, 5, 5, 60_000]);
const moving = Array.from({ length: 60 }, (_, i): Minute => [i, i - 0.25, i + 0.5, i + 0.125, i + 0.1, 60_000]);

describe('a packed hour', () => {
  const cases: [string, Minute[], number][] = [
    ['an empty hour', [], 9],
    ['one minute', [[17, 1.5, 2.5, 2, 2.25, 30_000]], 9 + 31],
    ['a value held all hour: one run', steady, 9 + 31],
    ['a value changing every minute: one run a minute', moving, 9 + 60 * 31],
    [
      'gaps do not break a run of equal minutes',
      [
        [0, 1, 1, 1, 1, 60_000],
        [30, 1, 1, 1, 1, 60_000],
        [59, 1, 1, 1, 1, 60_000],
      ],
      9 + 31,
    ],
    [
      'the first and last minute, different',
      [
        [0, -1e300, 1e300, 0, Math.PI, 1],
        [59, 0.1, 0.2, 0.125, 0.2, 59_999],
      ],
      9 + 2 * 31,
    ],
  ];
  it.each(cases)('round-trips %s, exactly, in %i bytes', (_name, minutes, size) => {
    const blob = packHour(hourOf(minutes));
    expect(blob.byteLength).toBe(size);
    expect(read(blob)).toEqual([...minutes].sort((a, b) => a[0] - b[0]));
  });

  it('keeps min, max and last exactly, avg to float32', () => {
    const [[, min, max, avg, last]] = read(packHour(hourOf([[0, 0.1, 0.7, 0.3, 1 / 3, 60_000]]))) as [Minute];
    expect([min, max, last]).toEqual([0.1, 0.7, 1 / 3]);
    expect(avg).toBe(Math.fround(0.3));
  });

  it('reads from a Buffer at any offset (drivers hand out slices of a pool)', () => {
    const blob = packHour(hourOf(moving));
    const padded = new Uint8Array(blob.byteLength + 3);
    padded.set(blob, 3);
    expect(read(padded.subarray(3))).toEqual(moving);
  });

  it('refuses what is not a packed hour', () => {
    expect(() => read(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/not a packed hour/);
    expect(() => read(new Uint8Array(3))).toThrow(/not a packed hour/);
  });
});

describe('the same minute written twice', () => {
  const cases: [string, Minute, Minute, Minute][] = [
    ['two halves: weighed by time, the later last', [4, 10, 20, 15, 12, 30_000], [4, 5, 12, 9, 7, 30_000], [4, 5, 20, 12, 7, 60_000]],
    ['a long and a short part', [4, 1, 1, 1, 1, 45_000], [4, 5, 5, 5, 5, 15_000], [4, 1, 5, 2, 5, 60_000]],
    ['weightless parts: the later avg', [4, 1, 1, 1, 1, 0], [4, 3, 3, 3, 3, 0], [4, 1, 3, 3, 3, 0]],
  ];
  it.each(cases)('%s', (_name, first, second, merged) => {
    const h = hourOf([first, second]);
    expect(read(packHour(h))).toEqual([merged]);
    expect(read(packHour(unpackHour(packHour(h))))).toEqual([merged]);
  });
});
