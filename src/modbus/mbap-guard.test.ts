import { describe, expect, it } from 'vitest';
import { createMbapGuard } from './mbap-guard.js';
import { encodeFrame } from './mbap.js';

const reply = (transactionId: number, pdu: number[], protocol = 0) => {
  const frame = encodeFrame({ transactionId, unitId: 1, pdu: Buffer.from(pdu) });
  frame.writeUInt16BE(protocol, 2);
  return frame;
};

/** Feeds `bytes` in chunks cut at `cuts`; the guard's answer after each chunk. */
function feed(bytes: Buffer, cuts: number[]): (string | undefined)[] {
  const guard = createMbapGuard();
  const edges = [0, ...cuts, bytes.length];
  return edges.slice(1).map((end, i) => guard(bytes.subarray(edges[i], end)));
}

describe('createMbapGuard', () => {
  const good = Buffer.concat([reply(1, [3, 2, 0x12, 0x34]), reply(2, [4, 4, 0, 1, 0, 2]), reply(3, [0x83, 2])]);

  it('passes Modbus frames however the stream is cut', () => {
    for (let a = 0; a <= good.length; a++) {
      for (let b = a; b <= good.length; b++) {
        expect(feed(good, [a, b]).every((p) => p === undefined)).toBe(true);
      }
    }
  });

  it('reports a frame of another protocol, wherever its header lands', () => {
    const bad = Buffer.concat([good, reply(4, [3, 2, 0, 7], 1)]);
    for (let cut = 0; cut <= bad.length; cut++) {
      expect(feed(bad, [cut]).at(-1)).toBe('bad MBAP header (protocol 1, length 5)');
    }
  });

  it('reports impossible lengths, and keeps reporting once it has', () => {
    const guard = createMbapGuard();
    const huge = Buffer.from([0, 1, 0, 0, 0x01, 0x00, 1, 3]); // length 256
    expect(guard(huge)).toBe('bad MBAP header (protocol 0, length 256)');
    expect(guard(reply(2, [3, 2, 0, 1]))).toBe('bad MBAP header (protocol 0, length 256)');
    expect(createMbapGuard()(Buffer.from([0, 1, 0, 0, 0, 1, 1]))).toBe('bad MBAP header (protocol 0, length 1)');
  });
});
