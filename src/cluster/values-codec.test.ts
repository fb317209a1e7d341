import { describe, expect, it } from 'vitest';
import type { LiveValue } from '../hub/hub.js';
import { decodeValues, encodeValues } from './values-codec.js';

const ts = '2026-12-05T10:00:00.000Z';
const good = (id: number, value: number): LiveValue => ({ datapoint_id: id, value, quality: 'good', ts });

describe('live values over NOTIFY', () => {
  it('round-trips good and bad values, fractions and negatives included', () => {
    const values: LiveValue[] = [good(1, 42.5), { datapoint_id: 2, value: null, quality: 'bad', ts }, good(3, -0.001), good(4, 1e21)];
    const [payload, ...more] = encodeValues('node-a', values);
    expect(more).toEqual([]);
    expect(decodeValues(payload!)).toEqual({ from: 'node-a', values });
  });

  it('splits a large poll into payloads under the 8000 bytes NOTIFY takes, losing none', () => {
    const values = Array.from({ length: 5000 }, (_, i) => good(i + 1, i * 1.25));
    const payloads = encodeValues('n', values);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => decodeValues(p).values)).toEqual(values);
  });

  it('keeps values of different polls apart, each with its own time', () => {
    const later = { ...good(2, 7), ts: '2026-12-05T10:00:01.000Z' };
    const payloads = encodeValues('n', [good(1, 1), later]);
    expect(payloads.flatMap((p) => decodeValues(p).values)).toEqual([good(1, 1), later]);
  });

  it('refuses what it did not write', () => {
    expect(() => decodeValues('hello')).toThrow();
    expect(() => decodeValues('n\nts\nx:1')).toThrow();
  });
});
