import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectPlc } from './plc-connection.js';
import { PollError } from './poll-error.js';
import { createSimulator, type Simulator } from './simulator.js';

describe('connectPlc against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await createSimulator();
    sim.setHolding(10, 0x1234);
  });
  afterEach(() => sim.setFault(null));
  afterAll(() => sim.close());

  const read = { area: 'holding' as const, start: 10, count: 1 };

  it('reads a register', async () => {
    const conn = await connectPlc({ host: sim.host, port: sim.port }, 500);
    expect((await conn.read(read, 1, 500)).getUint16(0)).toBe(0x1234);
    conn.close();
  });

  it.each([1, 0xffff])('a reply with protocol id %i is a protocol error, never data', async (id) => {
    const conn = await connectPlc({ host: sim.host, port: sim.port }, 500);
    sim.setFault({ kind: 'protocol', id });
    // Two reads in flight: neither may be settled by the library's parse of the bad frames.
    const results = await Promise.allSettled([conn.read(read, 1, 500), conn.read({ ...read, start: 11 }, 1, 500)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason as PollError;
      expect(err).toBeInstanceOf(PollError);
      expect(err.code).toBe('protocol');
      expect(err.message).toMatch(new RegExp(`bad MBAP header \\(protocol ${id}, length 5\\)`));
    }
    expect(conn.closed).toBe(true);
    await expect(conn.read(read, 1, 500)).rejects.toMatchObject({ code: 'protocol' });
  });

  it('dials a resolved address but names the host in errors', async () => {
    await sim.refuse();
    try {
      const err = await connectPlc({ host: 'plc.example', port: sim.port, address: sim.host }, 500).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'refused', message: `connection refused by plc.example:${sim.port} (${sim.host})` });
    } finally {
      await sim.accept();
    }
  });
});
