/** The simulator's memory: the four Modbus areas, and encoders for every datapoint type. */
import { isBitArea, type Area, type ValueType, type WordOrder } from '../kernel/enums.js';

export interface RegisterBank {
  holding: Uint16Array;
  input: Uint16Array;
  /** One byte per bit, 0 or 1. */
  coil: Uint8Array;
  discrete: Uint8Array;
}

export function createRegisterBank(): RegisterBank {
  return {
    holding: new Uint16Array(65536),
    input: new Uint16Array(65536),
    coil: new Uint8Array(65536),
    discrete: new Uint8Array(65536),
  };
}

const scratch = new DataView(new ArrayBuffer(4));

/**
 * Stores a raw (unscaled) value the way a PLC would hold it. Integers wrap like the
 * device's registers; a bit area stores nonzero as 1 whatever the type.
 */
export function writeRaw(bank: RegisterBank, area: Area, address: number, type: ValueType, wordOrder: WordOrder, raw: number): void {
  if (isBitArea(area)) {
    bank[area][address] = raw !== 0 ? 1 : 0;
    return;
  }
  const words = bank[area];
  switch (type) {
    case 'bool':
      words[address] = raw !== 0 ? 1 : 0;
      return;
    case 'int16':
    case 'uint16':
      words[address] = Math.round(raw) & 0xffff;
      return;
    case 'int32':
    case 'uint32':
      scratch.setUint32(0, Math.round(raw) >>> 0);
      break;
    case 'float32':
      scratch.setFloat32(0, raw);
      break;
  }
  const high = scratch.getUint16(0);
  const low = scratch.getUint16(2);
  words[address] = wordOrder === 'big' ? high : low;
  words[address + 1] = wordOrder === 'big' ? low : high;
}
