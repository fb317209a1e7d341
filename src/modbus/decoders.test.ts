import { describe, expect, it } from 'vitest';
import { decodePoint, engineering, type DecodeSpec } from './decoders.js';

function regs(...words: number[]): DataView {
  const view = new DataView(new ArrayBuffer(words.length * 2));
  words.forEach((w, i) => view.setUint16(i * 2, w));
  return view;
}

function float32Words(v: number): [number, number] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, v);
  return [view.getUint16(0), view.getUint16(2)];
}

const spec = (type: DecodeSpec['type'], extra: Partial<DecodeSpec> = {}): DecodeSpec => ({
  area: 'holding',
  type,
  word_order: 'big',
  scale: 1,
  offset: 0,
  ...extra,
});

describe('decodePoint', () => {
  it('decodes bits packed LSB first', () => {
    const bytes = new DataView(Uint8Array.of(0b1000_0101, 0b0000_0010).buffer);
    const coil = spec('bool', { area: 'coil' });
    const bits = [0, 1, 2, 7, 8, 9].map((b) => decodePoint(coil, bytes, b));
    expect(bits).toEqual([1, 0, 1, 1, 0, 1].map((value) => ({ ok: true, value })));
    expect(decodePoint({ ...coil, area: 'discrete' }, bytes, 9)).toEqual({ ok: true, value: 1 });
  });

  it('decodes a register as bool: nonzero is 1', () => {
    expect(decodePoint(spec('bool'), regs(0, 0x8000), 0)).toEqual({ ok: true, value: 0 });
    expect(decodePoint(spec('bool'), regs(0, 0x8000), 1)).toEqual({ ok: true, value: 1 });
  });

  it('decodes int16 and uint16', () => {
    const data = regs(0xffff, 0x8000, 0x7fff);
    expect([0, 1, 2].map((o) => decodePoint(spec('int16'), data, o))).toEqual([-1, -32768, 32767].map((value) => ({ ok: true, value })));
    expect([0, 1, 2].map((o) => decodePoint(spec('uint16'), data, o))).toEqual([65535, 32768, 32767].map((value) => ({ ok: true, value })));
  });

  it.each([
    ['big', regs(0x1234, 0x5678)],
    ['little', regs(0x5678, 0x1234)],
  ] as const)('decodes 32-bit integers with %s word order', (word_order, data) => {
    expect(decodePoint(spec('uint32', { word_order }), data, 0)).toEqual({ ok: true, value: 0x12345678 });
    expect(decodePoint(spec('int32', { word_order }), data, 0)).toEqual({ ok: true, value: 0x12345678 });
  });

  it.each(['big', 'little'] as const)('decodes negative int32 and large uint32 (%s)', (word_order) => {
    const data = word_order === 'big' ? regs(0xffff, 0xfffe) : regs(0xfffe, 0xffff);
    expect(decodePoint(spec('int32', { word_order }), data, 0)).toEqual({ ok: true, value: -2 });
    expect(decodePoint(spec('uint32', { word_order }), data, 0)).toEqual({ ok: true, value: 4294967294 });
  });

  it.each(['big', 'little'] as const)('decodes float32 (%s) at an offset', (word_order) => {
    const [hi, lo] = float32Words(-123.5);
    const data = word_order === 'big' ? regs(0, hi, lo) : regs(0, lo, hi);
    expect(decodePoint(spec('float32', { word_order }), data, 1)).toEqual({ ok: true, value: -123.5 });
  });

  it('applies scale and offset', () => {
    const s = spec('int16', { scale: 0.1, offset: -40 });
    const result = decodePoint(s, regs(650), 0);
    expect(result.ok && result.value).toBeCloseTo(25);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('marks a %s float as bad instead of a number', (name, v) => {
    const [hi, lo] = float32Words(v);
    expect(decodePoint(spec('float32'), regs(hi, lo), 0)).toEqual({
      ok: false,
      error: `non-finite value (${name})`,
    });
  });

  it('marks overflow after scaling as bad', () => {
    const [hi, lo] = float32Words(3e38);
    expect(decodePoint(spec('float32', { scale: 1e300 }), regs(hi, lo), 0)).toEqual({
      ok: false,
      error: 'non-finite value (Infinity after scaling)',
    });
  });

  it('reports a reply too short instead of throwing', () => {
    expect(decodePoint(spec('float32'), regs(1), 0)).toEqual({ ok: false, error: 'reply too short for this point' });
    const coil = spec('bool', { area: 'coil' });
    expect(decodePoint(coil, new DataView(new ArrayBuffer(1)), 8).ok).toBe(false);
  });
});

describe('engineering', () => {
  it('passes finite values through', () => {
    expect(engineering(2, { scale: 3, offset: 1 })).toEqual({ ok: true, value: 7 });
  });
});
