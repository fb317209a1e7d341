/** Modbus TCP framing (MBAP header): transaction id, protocol 0, length, unit id, then the PDU. */

export interface MbapFrame {
  transactionId: number;
  unitId: number;
  pdu: Buffer;
}

const HEADER = 7;
/** Transaction id, protocol id and length: enough to know where the frame ends. */
export const PREFIX = 6;
const MAX_LENGTH = 254; // unit id + 253-byte PDU

/** What is wrong with the MBAP header at `at` (6 bytes needed), or undefined when it is sound. */
export function headerProblem(buffer: Buffer, at = 0): string | undefined {
  const protocol = buffer.readUInt16BE(at + 2);
  const length = buffer.readUInt16BE(at + 4);
  if (protocol !== 0 || length < 2 || length > MAX_LENGTH) return `bad MBAP header (protocol ${protocol}, length ${length})`;
  return undefined;
}

/**
 * Splits a receive buffer into whole frames. `rest` is the unfinished tail to keep;
 * `error` is set when the stream cannot be resynchronised and the socket must go.
 */
export function splitFrames(buffer: Buffer): { frames: MbapFrame[]; rest: Buffer; error?: string } {
  const frames: MbapFrame[] = [];
  let at = 0;
  while (buffer.length - at >= HEADER) {
    const error = headerProblem(buffer, at);
    if (error !== undefined) return { frames, rest: Buffer.alloc(0), error };
    const length = buffer.readUInt16BE(at + 4);
    if (buffer.length - at < PREFIX + length) break;
    frames.push({
      transactionId: buffer.readUInt16BE(at),
      unitId: buffer.readUInt8(at + 6),
      pdu: buffer.subarray(at + HEADER, at + PREFIX + length),
    });
    at += PREFIX + length;
  }
  return { frames, rest: buffer.subarray(at) };
}

export function encodeFrame(frame: MbapFrame): Buffer {
  const out = Buffer.allocUnsafe(HEADER + frame.pdu.length);
  out.writeUInt16BE(frame.transactionId, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(frame.pdu.length + 1, 4);
  out.writeUInt8(frame.unitId, 6);
  frame.pdu.copy(out, HEADER);
  return out;
}
