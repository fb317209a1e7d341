/** Answers one read request PDU from a register bank, as a Modbus server would. */
import type { Area } from '../kernel/enums.js';
import type { RegisterBank } from './register-bank.js';

export interface ReadPdu {
  functionCode: number;
  area: Area;
  start: number;
  count: number;
}

const AREA_BY_FC: Record<number, Area> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };

/** The request's area and range, or null for a function code we do not serve. */
export function parseReadPdu(pdu: Buffer): ReadPdu | null {
  const functionCode = pdu.readUInt8(0);
  const area = AREA_BY_FC[functionCode];
  if (area === undefined || pdu.length !== 5) return null;
  return { functionCode, area, start: pdu.readUInt16BE(1), count: pdu.readUInt16BE(3) };
}

export function exceptionPdu(functionCode: number, exceptionCode: number): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, exceptionCode]);
}

export function servePdu(bank: RegisterBank, pdu: Buffer): Buffer {
  const functionCode = pdu.length > 0 ? pdu.readUInt8(0) : 0;
  const req = parseReadPdu(pdu);
  if (req === null) return exceptionPdu(functionCode, 0x01);
  const bits = req.area === 'coil' || req.area === 'discrete';
  if (req.count < 1 || req.count > (bits ? 2000 : 125)) return exceptionPdu(functionCode, 0x03);
  if (req.start + req.count > 65536) return exceptionPdu(functionCode, 0x02);
  if (bits) {
    const source = req.area === 'coil' ? bank.coil : bank.discrete;
    const byteCount = Math.ceil(req.count / 8);
    const out = Buffer.alloc(2 + byteCount);
    out[0] = functionCode;
    out[1] = byteCount;
    for (let i = 0; i < req.count; i++) {
      if (source[req.start + i]) out[2 + (i >> 3)]! |= 1 << (i & 7);
    }
    return out;
  }
  const source = req.area === 'holding' ? bank.holding : bank.input;
  const out = Buffer.allocUnsafe(2 + req.count * 2);
  out[0] = functionCode;
  out[1] = req.count * 2;
  for (let i = 0; i < req.count; i++) out.writeUInt16BE(source[req.start + i] ?? 0, 2 + i * 2);
  return out;
}
