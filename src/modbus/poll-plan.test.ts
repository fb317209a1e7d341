import { describe, expect, it } from 'vitest';
import { createChangeTracker } from './change-tracker.js';
import { applyError, applyReply, compilePlan } from './poll-plan.js';
import type { PollerPoint } from './protocol.js';

const pt = (id: number, address: number, type: PollerPoint['type'] = 'uint16'): PollerPoint => ({
  id,
  plc_id: 1,
  area: 'holding',
  address,
  type,
  word_order: 'big',
  scale: 2,
  offset: 1,
});

const words = (...ws: number[]) => {
  const view = new DataView(new ArrayBuffer(ws.length * 2));
  ws.forEach((w, i) => view.setUint16(i * 2, w));
  return view;
};

describe('compiled poll plan', () => {
  it('decodes a reply into the right points', () => {
    const tracker = createChangeTracker();
    const plan = compilePlan([pt(7, 11), pt(5, 10), pt(9, 12, 'float32')], tracker);
    const request = plan.requests[0];
    if (request === undefined) throw new Error('no request');
    expect(applyReply(plan, request, words(3, 4, 0x7fc0, 0), tracker)).toBe(true);
    const c = tracker.flush();
    expect([...(c?.ids ?? [])]).toEqual([7, 5, 9]);
    expect([...(c?.values ?? [])]).toEqual([9, 7, NaN]);
    expect(c?.errors).toEqual([{ id: 9, error: 'non-finite value (NaN)' }]);
  });

  it('marks a short reply and an exception per point', () => {
    const tracker = createChangeTracker();
    const plan = compilePlan([pt(1, 0), pt(2, 1)], tracker);
    const request = plan.requests[0];
    if (request === undefined) throw new Error('no request');
    applyReply(plan, request, words(5), tracker);
    expect(tracker.flush()?.errors).toEqual([{ id: 2, error: 'reply too short for this point' }]);
    applyError(plan, request, 'Modbus exception 02 (illegal data address)', tracker);
    expect(tracker.flush()?.errors?.map((e) => e.id)).toEqual([1, 2]);
  });

  it('writes nothing through a plan the tracker has outgrown', () => {
    const tracker = createChangeTracker();
    const old = compilePlan([pt(1, 0), pt(2, 1)], tracker);
    compilePlan([pt(2, 1), pt(3, 0)], tracker);
    const request = old.requests[0];
    if (request === undefined) throw new Error('no request');
    expect(applyReply(old, request, words(1, 2), tracker)).toBe(false);
    applyError(old, request, 'x', tracker);
    expect(tracker.flush()).toBeNull();
  });
});
