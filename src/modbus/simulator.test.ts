import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, splitFrames } from './mbap.js';
import { createSimulator, type Simulator } from './simulator.js';

const request = (transactionId: number, pdu: number[]) => encodeFrame({ transactionId, unitId: 1, pdu: Buffer.from(pdu) });

/** A raw client: send bytes, await whole reply frames (or fail when the connection closes first). */
async function rawClient(port: number) {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  let pending = Buffer.alloc(0);
  const frames: ReturnType<typeof splitFrames>['frames'] = [];
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    const split = splitFrames(Buffer.concat([pending, chunk]));
    pending = Buffer.from(split.rest);
    frames.push(...split.frames);
    waiters.splice(0).forEach((w) => w());
  });
  let open = true;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      open = false;
      waiters.splice(0).forEach((w) => w());
      resolve();
    }),
  );
  return {
    socket,
    closed,
    /** Every frame received and not yet taken by `replies`. */
    received: () => frames.map((f) => [f.transactionId, ...f.pdu]),
    async replies(n: number) {
      while (frames.length < n) {
        if (!open) throw new Error(`connection closed after ${frames.length} of ${n} replies`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return frames.splice(0, n).map((f) => [f.transactionId, ...f.pdu]);
    },
  };
}

describe('simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await createSimulator();
  });
  afterAll(() => sim.close());

  it('answers register and bit reads, frames split or joined', async () => {
    sim.setHolding(3, 0x1234);
    sim.setInput(65535, 0xbeef);
    [0, 2, 9].forEach((a) => sim.setCoil(a, true));
    const c = await rawClient(sim.port);
    const joined = Buffer.concat([request(1, [3, 0, 3, 0, 1]), request(2, [4, 0xff, 0xff, 0, 1])]);
    c.socket.write(joined);
    const split = request(3, [1, 0, 0, 0, 10]);
    c.socket.write(split.subarray(0, 5));
    c.socket.write(split.subarray(5));
    expect(await c.replies(3)).toEqual([
      [1, 3, 2, 0x12, 0x34],
      [2, 4, 2, 0xbe, 0xef],
      [3, 1, 2, 0b0000_0101, 0b0000_0010],
    ]);
    c.socket.destroy();
  });

  it('answers exceptions for bad ranges and unknown functions', async () => {
    const c = await rawClient(sim.port);
    c.socket.write(request(1, [3, 0xff, 0xff, 0, 2])); // past 65535
    c.socket.write(request(2, [3, 0, 0, 0, 126])); // over 125 registers
    c.socket.write(request(3, [0x2b, 0x0e, 1, 0])); // not served
    expect(await c.replies(3)).toEqual([
      [1, 0x83, 2],
      [2, 0x83, 3],
      [3, 0xab, 1],
    ]);
    sim.setFault({ kind: 'exception', code: 0x0b, from: 10, to: 20, area: 'holding' });
    c.socket.write(request(4, [3, 0, 20, 0, 1]));
    c.socket.write(request(5, [4, 0, 20, 0, 1]));
    expect(await c.replies(2)).toEqual([
      [4, 0x83, 0x0b],
      [5, 4, 2, 0, 0],
    ]);
    sim.setFault(null);
    c.socket.destroy();
  });

  it('drops a connection that sends garbage, answering nothing', async () => {
    // A simulator of its own, so its counts are this connection's alone.
    const own = await createSimulator();
    try {
      const c = await rawClient(own.port);
      // A read of holding register 0 in every byte but the protocol id (7: not Modbus).
      c.socket.write(Buffer.from([0, 1, 0, 7, 0, 6, 1, 3, 0, 0, 0, 1]));
      // A reply first would be the failure; we never close the connection ourselves.
      const first = await Promise.race([c.closed.then(() => 'closed'), c.replies(1).catch(() => 'closed')]);
      expect(first).toBe('closed');
      expect(c.received()).toEqual([]);
      // Its side of the socket closed before ours heard of it (one event loop, loopback).
      expect(own.stats()).toEqual({ open: 0, accepted: 1, requests: 0 });
    } finally {
      await own.close();
    }
  });

  it('refuses while told to, then accepts on the same port', async () => {
    await sim.refuse();
    const { accepted } = sim.stats();
    const refused = connect({ port: sim.port, host: '127.0.0.1' });
    const outcome = await new Promise<string | undefined>((resolve) => {
      refused.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
      refused.once('connect', () => resolve('connected'));
    });
    expect(outcome).toBe('ECONNREFUSED');
    await sim.accept();
    const c = await rawClient(sim.port);
    c.socket.write(request(9, [3, 0, 3, 0, 1]));
    expect(await c.replies(1)).toEqual([[9, 3, 2, 0x12, 0x34]]);
    expect(sim.stats().accepted).toBe(accepted + 1); // this client only
    c.socket.destroy();
  });
});
