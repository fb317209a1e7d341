import { describe, expect, it } from 'vitest';
import { ORPHAN_ROUNDS, planLeases, type LeaseView } from './lease-plan.js';

const view = (v: Partial<LeaseView>): LeaseView => ({
  plcs: [1, 2, 3, 4, 5, 6],
  held: new Set(),
  taken: new Set(),
  nodes: 1,
  freeRounds: new Map(),
  ...v,
});

describe('planLeases', () => {
  it('a lone node takes every free PLC', () => {
    expect(planLeases(view({}))).toEqual({ take: [1, 2, 3, 4, 5, 6], release: [] });
  });

  it('takes free PLCs only up to its share', () => {
    expect(planLeases(view({ nodes: 3, taken: new Set([1, 2]) }))).toEqual({ take: [3, 4], release: [] });
  });

  it('lets go of its excess, highest ids first, when a node joins', () => {
    const all = new Set([1, 2, 3, 4, 5, 6]);
    expect(planLeases(view({ nodes: 2, held: all, taken: all }))).toEqual({ take: [], release: [4, 5, 6] });
  });

  it('is stable at its share: nothing to take, nothing to release', () => {
    const held = new Set([1, 2, 3]);
    expect(planLeases(view({ nodes: 2, held, taken: new Set([1, 2, 3, 4, 5, 6]) }))).toEqual({ take: [], release: [] });
    // 7 PLCs on 2 nodes: shares of 4 and 3, neither moves
    expect(
      planLeases(view({ plcs: [1, 2, 3, 4, 5, 6, 7], nodes: 2, held: new Set([5, 6, 7]), taken: new Set([1, 2, 3, 4, 5, 6, 7]) })),
    ).toEqual({ take: [], release: [] });
  });

  it('takes a PLC left free too long, over its share (a node counted live that is gone)', () => {
    const held = new Set([1, 2, 3]);
    const taken = new Set([1, 2, 3]);
    expect(planLeases(view({ nodes: 2, held, taken, freeRounds: new Map([[4, 1]]) })).take).toEqual([]);
    expect(planLeases(view({ nodes: 2, held, taken, freeRounds: new Map([[4, ORPHAN_ROUNDS]]) })).take).toEqual([4]);
  });

  it('lets go of PLCs that were deleted', () => {
    expect(planLeases(view({ plcs: [1], held: new Set([1, 9]), taken: new Set([1, 9]) }))).toEqual({ take: [], release: [9] });
  });
});
