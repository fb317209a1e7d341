import { describe, expect, it } from 'vitest';
import { harness, rule } from './test-harness.js';

describe('quality', () => {
  it.each([
    ['bad quality', 85, 'bad'],
    ['a null value', null, 'good'],
    ['NaN', Number.NaN, 'good'],
    ['Infinity', Number.POSITIVE_INFINITY, 'good'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'good'],
  ] as const)('%s -> UNKNOWN at once with reason quality, never a false OK', (_name, value, quality) => {
    const h = harness([rule({ on_delay_ms: 60_000, comparison: 'below' })]);
    h.send(1, 100);
    h.send(1, value, quality);
    expect(h.batches[0]).toMatchObject([{ from: 'OK', to: 'UNKNOWN', reason: 'quality', value: null, acked: false }]);
    expect(h.engine.active().map((a) => a.state)).toEqual(['UNKNOWN']);
  });

  it('a rule starting on a bad datapoint goes UNKNOWN at the first sample', () => {
    const h = harness();
    h.send(1, null, 'bad');
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:quality']);
    h.send(1, null, 'bad');
    expect(h.moves()).toEqual([]);
  });

  it('recovers at once to the level the value calls for, delays notwithstanding', () => {
    const h = harness([rule({ on_delay_ms: 60_000, off_delay_ms: 60_000 })]);
    h.send(1, null, 'bad');
    h.send(1, 85);
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:quality', '1:UNKNOWN>ALARM:quality']);
    h.send(1, Number.NaN);
    h.send(1, 10);
    expect(h.moves()).toEqual(['1:ALARM>UNKNOWN:quality', '1:UNKNOWN>OK:quality']);
  });

  it('recovering to OK leaves the UNKNOWN unacknowledged, so it stays active', () => {
    const h = harness();
    h.send(1, 10, 'bad');
    h.send(1, 10);
    expect(h.engine.get(1)).toMatchObject({ state: 'OK', acked: false });
    expect(h.engine.active()).toHaveLength(1);
  });

  it('losing quality cancels a pending delay', () => {
    const h = harness([rule({ on_delay_ms: 10_000 })]);
    h.send(1, 60);
    h.send(1, 60, 'bad');
    h.send(1, 30);
    h.clock.advance(20_000);
    expect(h.moves()).toEqual(['1:OK>UNKNOWN:quality', '1:UNKNOWN>OK:quality']);
    expect(h.clock.pending()).toBe(0);
  });

  it('keeps the last sample as received', () => {
    const h = harness();
    h.clock.advance(5);
    h.send(1, 7, 'bad');
    expect(h.engine.lastValue(1)).toEqual({ value: 7, quality: 'bad', ts: h.clock.now() });
    expect(h.engine.lastValue(99)).toBeUndefined();
  });
});
