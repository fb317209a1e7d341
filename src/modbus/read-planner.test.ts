import { describe, expect, it } from 'vitest';
import { planReads, type PlanPoint } from './read-planner.js';

const reg = (id: number, address: number, type: PlanPoint['type'] = 'uint16'): PlanPoint => ({
  id,
  area: 'holding',
  address,
  type,
});

describe('planReads', () => {
  it('returns nothing for no points', () => {
    expect(planReads([])).toEqual({ requests: [], invalid: [] });
  });

  it('merges contiguous registers into one request with offsets', () => {
    const plan = planReads([reg(1, 10), reg(2, 11), reg(3, 12, 'float32')]);
    expect(plan.requests).toEqual([
      {
        area: 'holding',
        start: 10,
        count: 4,
        points: [
          { id: 1, offset: 0 },
          { id: 2, offset: 1 },
          { id: 3, offset: 2 },
        ],
      },
    ]);
  });

  it('bridges a gap up to the limit and splits beyond it', () => {
    // default gap 8: 0 ends at 1, 9 is 8 unused registers later
    expect(planReads([reg(1, 0), reg(2, 9)]).requests).toHaveLength(1);
    expect(planReads([reg(1, 0), reg(2, 10)]).requests).toHaveLength(2);
    expect(planReads([reg(1, 0), reg(2, 3)], { maxGapRegisters: 0 }).requests).toHaveLength(2);
    expect(planReads([reg(1, 0), reg(2, 1)], { maxGapRegisters: 0 }).requests).toHaveLength(1);
  });

  it('keeps requests at most 125 registers', () => {
    const points = Array.from({ length: 126 }, (_, i) => reg(i, i));
    const plan = planReads(points);
    expect(plan.requests.map((r) => [r.start, r.count])).toEqual([
      [0, 125],
      [125, 1],
    ]);
  });

  it('never splits a 32-bit value across two requests', () => {
    const points = [...Array.from({ length: 124 }, (_, i) => reg(i, i)), reg(999, 124, 'int32')];
    const plan = planReads(points);
    expect(plan.requests.map((r) => [r.start, r.count])).toEqual([
      [0, 124],
      [124, 2],
    ]);
    expect(plan.requests[1]?.points).toEqual([{ id: 999, offset: 0 }]);
  });

  it('fits a 32-bit value exactly at the 125 edge', () => {
    const points = [...Array.from({ length: 123 }, (_, i) => reg(i, i)), reg(999, 123, 'float32')];
    expect(planReads(points).requests.map((r) => r.count)).toEqual([125]);
  });

  it('gives duplicate and overlapping addresses the same request', () => {
    const plan = planReads([reg(1, 5), reg(2, 5), reg(3, 4, 'uint32')]);
    expect(plan.requests).toEqual([
      {
        area: 'holding',
        start: 4,
        count: 2,
        points: [
          { id: 3, offset: 0 },
          { id: 1, offset: 1 },
          { id: 2, offset: 1 },
        ],
      },
    ]);
  });

  it('handles addresses near 65535 and rejects a 32-bit value past the end', () => {
    const plan = planReads([reg(1, 65535), reg(2, 65534, 'float32'), reg(3, 65535, 'int32')]);
    expect(plan.requests).toEqual([
      {
        area: 'holding',
        start: 65534,
        count: 2,
        points: [
          { id: 2, offset: 0 },
          { id: 1, offset: 1 },
        ],
      },
    ]);
    expect(plan.invalid).toEqual([{ id: 3, error: 'address 65535 out of range for int32' }]);
  });

  it('rejects negative and fractional addresses', () => {
    expect(planReads([reg(1, -1), reg(2, 1.5)]).invalid.map((i) => i.id)).toEqual([1, 2]);
  });

  it('plans each area separately and sorts unordered input', () => {
    const plan = planReads([
      { id: 1, area: 'coil', address: 3, type: 'bool' },
      { id: 2, area: 'input', address: 7, type: 'int16' },
      reg(3, 20),
      reg(4, 2),
      { id: 5, area: 'discrete', address: 0, type: 'bool' },
    ]);
    expect(plan.requests.map((r) => [r.area, r.start, r.count])).toEqual([
      ['holding', 2, 1],
      ['holding', 20, 1],
      ['input', 7, 1],
      ['coil', 3, 1],
      ['discrete', 0, 1],
    ]);
  });

  it('reads bits in blocks of at most 2000 with a 64-bit gap', () => {
    const coil = (id: number, address: number): PlanPoint => ({ id, area: 'coil', address, type: 'bool' });
    expect(planReads([coil(1, 0), coil(2, 1999)]).requests.map((r) => r.count)).toEqual([1, 1]);
    const dense = Array.from({ length: 2001 }, (_, i) => coil(i, i));
    expect(planReads(dense).requests.map((r) => r.count)).toEqual([2000, 1]);
    expect(planReads([coil(1, 0), coil(2, 65)]).requests).toHaveLength(1);
    expect(planReads([coil(1, 0), coil(2, 66)]).requests).toHaveLength(2);
  });

  it('treats any type in a bit area as one bit', () => {
    const plan = planReads([{ id: 1, area: 'discrete', address: 65535, type: 'float32' }]);
    expect(plan).toEqual({
      requests: [{ area: 'discrete', start: 65535, count: 1, points: [{ id: 1, offset: 0 }] }],
      invalid: [],
    });
  });

  it('honours smaller device limits', () => {
    const points = Array.from({ length: 10 }, (_, i) => reg(i, i));
    expect(planReads(points, { maxRegisters: 4 }).requests.map((r) => r.count)).toEqual([4, 4, 2]);
  });
});
