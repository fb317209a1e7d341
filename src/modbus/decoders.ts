/** Turns raw Modbus reply bytes into engineering values; pure, no allocation on the hot path. */
import { isBitArea, type Area, type ValueType, type WordOrder } from '../kernel/enums.js';

export interface DecodeSpec {
  area: Area;
  type: ValueType;
  word_order: WordOrder;
  scale: number;
  offset: number;
}

export type Decoded = { ok: true; value: number } | { ok: false; error: string };

export const SHORT_REPLY = 'reply too short for this point';

// A spec reduced to one small integer, so the poll loop switches on numbers, not strings.
const BIT = 0;
const REG_BOOL = 1;
const UINT16 = 2;
const INT16 = 3;
const UINT32 = 4; // +1 for little word order, likewise for INT32 and FLOAT32
const INT32 = 6;
const FLOAT32 = 8;

/** The decode kind of a spec, for readRawKind. */
export function decodeKind(spec: Pick<DecodeSpec, 'area' | 'type' | 'word_order'>): number {
  if (isBitArea(spec.area)) return BIT;
  const little = spec.word_order === 'little' ? 1 : 0;
  switch (spec.type) {
    case 'bool':
      return REG_BOOL;
    case 'uint16':
      return UINT16;
    case 'int16':
      return INT16;
    case 'uint32':
      return UINT32 + little;
    case 'int32':
      return INT32 + little;
    case 'float32':
      return FLOAT32 + little;
  }
}

// One scratch word pair to reinterpret little-word-order floats; decoding is synchronous.
const scratch = new DataView(new ArrayBuffer(4));

/**
 * The unscaled value at `offset` (registers, or bits for coil/discrete) of a reply's data
 * bytes (registers big-endian, bits packed LSB first), or null when the reply is too short.
 */
export function readRawKind(kind: number, data: DataView, offset: number): number | null {
  if (kind === BIT) {
    const byte = offset >> 3;
    return byte < data.byteLength ? (data.getUint8(byte) >> (offset & 7)) & 1 : null;
  }
  const at = offset * 2;
  if (at + (kind >= UINT32 ? 4 : 2) > data.byteLength) return null;
  switch (kind) {
    case REG_BOOL:
      return data.getUint16(at) !== 0 ? 1 : 0;
    case UINT16:
      return data.getUint16(at);
    case INT16:
      return data.getInt16(at);
    case UINT32:
      return data.getUint32(at);
    case INT32:
      return data.getInt32(at);
    case FLOAT32:
      return data.getFloat32(at);
    case UINT32 + 1:
      return data.getUint16(at + 2) * 0x10000 + data.getUint16(at);
    case INT32 + 1:
      return (data.getUint16(at + 2) << 16) | data.getUint16(at) | 0;
    case FLOAT32 + 1:
      scratch.setUint16(0, data.getUint16(at + 2));
      scratch.setUint16(2, data.getUint16(at));
      return scratch.getFloat32(0);
    default:
      return null;
  }
}

/** Decodes one point from a reply, as readRawKind does, then scales it. */
export function decodePoint(spec: DecodeSpec, data: DataView, offset: number): Decoded {
  const raw = readRawKind(decodeKind(spec), data, offset);
  if (raw === null) return { ok: false, error: SHORT_REPLY };
  return engineering(raw, spec);
}

/** raw * scale + offset, refusing anything that is not a finite number. */
export function engineering(raw: number, spec: Pick<DecodeSpec, 'scale' | 'offset'>): Decoded {
  const value = raw * spec.scale + spec.offset;
  if (Number.isFinite(value)) return { ok: true, value };
  const what = Number.isNaN(raw) ? 'NaN' : !Number.isFinite(raw) ? `${raw}` : `${value} after scaling`;
  return { ok: false, error: `non-finite value (${what})` };
}
