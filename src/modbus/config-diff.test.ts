import { describe, expect, it } from 'vitest';
import { diffConfig, groupConfig } from './config-diff.js';
import type { PollerPlc, PollerPoint } from './protocol.js';

const plc = (id: number, extra: Partial<PollerPlc> = {}): PollerPlc => ({
  id,
  host: '127.0.0.1',
  port: 502,
  unit_id: 1,
  max_in_flight: 1,
  poll_interval_ms: 100,
  timeout_ms: 100,
  enabled: true,
  ...extra,
});
const point = (id: number, plc_id: number, address = id): PollerPoint => ({
  id,
  plc_id,
  area: 'holding',
  address,
  type: 'uint16',
  word_order: 'big',
  scale: 1,
  offset: 0,
});

describe('groupConfig', () => {
  it('groups points by PLC, sorted by id, dropping orphans', () => {
    const g = groupConfig([plc(1)], [point(3, 1), point(2, 1), point(9, 7)]);
    expect([...g.keys()]).toEqual([1]);
    expect(g.get(1)?.points.map((p) => p.id)).toEqual([2, 3]);
  });
});

describe('diffConfig', () => {
  const before = groupConfig([plc(1), plc(2), plc(3)], [point(1, 1), point(2, 2)]);

  it('reports nothing for an identical config', () => {
    expect(diffConfig(before, groupConfig([plc(1), plc(2), plc(3)], [point(2, 2), point(1, 1)]))).toEqual([]);
  });

  it('starts, updates, disables and removes per PLC', () => {
    const after = groupConfig([plc(1, { port: 1502 }), plc(2, { enabled: false }), plc(4)], [point(1, 1), point(2, 2), point(5, 4)]);
    expect(diffConfig(before, after).map((c) => [c.kind, 'config' in c ? c.config.plc.id : c.plcId])).toEqual([
      ['update', 1],
      ['disable', 2],
      ['start', 4],
      ['remove', 3],
    ]);
  });

  it('sees a changed point and restarts a re-enabled PLC', () => {
    const disabled = groupConfig([plc(1, { enabled: false })], [point(1, 1)]);
    const enabled = groupConfig([plc(1)], [point(1, 1, 40)]);
    expect(diffConfig(disabled, enabled).map((c) => c.kind)).toEqual(['start']);
    expect(diffConfig(groupConfig([plc(1)], [point(1, 1)]), enabled).map((c) => c.kind)).toEqual(['update']);
  });
});
