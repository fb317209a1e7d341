import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPoller, type Poller, type PollerPlc, type PollerPoint } from './poller.js';
import { ROUND_TRIP_BOUNDS_MS } from './protocol.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createRecorder, type Recorder } from './test-recorder.js';
import { spawnPollerWorker } from './worker-spawn.js';

const plcAt = (id: number, port: number): PollerPlc => ({
  id,
  host: '127.0.0.1',
  port,
  unit_id: 1,
  max_in_flight: 1,
  poll_interval_ms: 50,
  timeout_ms: 200,
  enabled: true,
});

let nextId = 1;
const pt = (plc_id: number, fields: Partial<PollerPoint> & Pick<PollerPoint, 'area' | 'address'>): PollerPoint => ({
  id: nextId++,
  plc_id,
  type: 'uint16',
  word_order: 'big',
  scale: 1,
  offset: 0,
  ...fields,
});

const latestValueOf = (rec: Recorder, p: PollerPoint) => rec.latest.get(p.id)?.value;
const roundTripCount = (rec: Recorder) => rec.roundTrips.reduce((n, r) => n + r.counts.reduce((a, b) => a + b, 0), 0);

describe('poller against the simulator', () => {
  let sim: Simulator;
  let other: Simulator;
  let poller: Poller;
  let rec: Recorder;
  const workers: Worker[] = [];

  const points = {
    i16: pt(1, { area: 'holding', address: 0, type: 'int16' }),
    u16: pt(1, { area: 'holding', address: 1 }),
    i32big: pt(1, { area: 'holding', address: 2, type: 'int32' }),
    i32little: pt(1, { area: 'holding', address: 4, type: 'int32', word_order: 'little' }),
    u32: pt(1, { area: 'holding', address: 6, type: 'uint32' }),
    f32big: pt(1, { area: 'holding', address: 8, type: 'float32' }),
    f32little: pt(1, { area: 'input', address: 100, type: 'float32', word_order: 'little' }),
    boolReg: pt(1, { area: 'holding', address: 10, type: 'bool' }),
    scaled: pt(1, { area: 'input', address: 0, type: 'int16', scale: 0.1, offset: -40 }),
    coil: pt(1, { area: 'coil', address: 5, type: 'bool' }),
    discrete: pt(1, { area: 'discrete', address: 1000, type: 'bool' }),
  };
  const all = Object.values(points);

  beforeAll(async () => {
    [sim, other] = await Promise.all([createSimulator(), createSimulator()]);
    sim.setHolding(0, -1234);
    sim.setHolding(1, 54321);
    sim.setInt32('holding', 2, -100000, 'big');
    sim.setInt32('holding', 4, 123456789, 'little');
    sim.setUint32('holding', 6, 4000000000);
    sim.setFloat32('holding', 8, 3.5);
    sim.setFloat32('input', 100, -0.25, 'little');
    sim.setHolding(10, 7);
    sim.setInput(0, 650);
    sim.setCoil(5, true);
    sim.setDiscrete(1000, 1);
    rec = createRecorder();
    poller = createPoller({
      ...rec.callbacks,
      heartbeatMs: 300,
      restartBackoff: { baseMs: 20, maxMs: 100 },
      reconnectMaxMs: 200,
      spawn: () => {
        const w = spawnPollerWorker({ debug: true });
        workers.push(w);
        return w;
      },
    });
    poller.configure([plcAt(1, sim.port)], all);
    await poller.start();
  });

  afterAll(async () => {
    await poller.stop();
    await Promise.all([sim.close(), other.close()]);
  });

  it('reads every type, word order, area and scaling', async () => {
    await rec.until('all points good', () => all.every((p) => rec.latest.get(p.id)?.quality === 'good'));
    expect(Object.fromEntries(Object.entries(points).map(([k, p]) => [k, latestValueOf(rec, p)]))).toEqual({
      i16: -1234,
      u16: 54321,
      i32big: -100000,
      i32little: 123456789,
      u32: 4000000000,
      f32big: 3.5,
      f32little: -0.25,
      boolReg: 1,
      scaled: expect.closeTo(25, 9),
      coil: 1,
      discrete: 1,
    });
    expect(rec.lastStatus(1)).toMatchObject({ plc_id: 1, connected: true, error: null });
    // stats() is as of the last heartbeat
    await vi.waitFor(() => expect(poller.stats().plcs[0]).toMatchObject({ plc_id: 1, requests_per_cycle: 5 }));
  });

  it("ships each read's round trip in buckets, with the values and with the heartbeats", async () => {
    await rec.until('all points good', () => all.every((p) => rec.latest.get(p.id)?.quality === 'good'));
    // The first cycle's five reads came with its values, as the main thread handled them.
    const seen = roundTripCount(rec);
    expect(seen).toBeGreaterThanOrEqual(5);
    // Nothing changes from here on, so no values are posted: the heartbeats carry the counts.
    const batches = rec.batches.length;
    await rec.until('round trips of later cycles', () => roundTripCount(rec) >= seen + 10);
    expect(rec.batches.length).toBe(batches);
    // Each one a reply to a request the simulator received, and each took some time.
    expect(roundTripCount(rec)).toBeLessThanOrEqual(sim.stats().requests);
    for (const r of rec.roundTrips) {
      expect(r.counts).toHaveLength(ROUND_TRIP_BOUNDS_MS.length + 1);
      expect(r.sum_ms).toBeGreaterThan(0);
      // A reply comes within the 200 ms time-out, so nothing lands above 1 s.
      expect(r.counts.slice(ROUND_TRIP_BOUNDS_MS.indexOf(1000) + 1).every((n) => n === 0)).toBe(true);
    }
  });

  it('posts a changed register in the next cycle, and only what changed', async () => {
    await rec.until('first values', () => rec.latest.get(points.u16.id) !== undefined);
    const before = rec.batches.length;
    sim.setHolding(1, 111);
    await rec.until('new value', () => latestValueOf(rec, points.u16) === 111);
    const changed = rec.batches.slice(before);
    expect(changed.flatMap((b) => b.samples.map((s) => [s.datapoint_id, s.value]))).toEqual([[points.u16.id, 111]]);
    expect(rec.batches.every((b) => b.samples.length > 0)).toBe(true);
  });

  it('applies an added point and a new port without restarting the worker', async () => {
    const added = pt(1, { area: 'holding', address: 500 });
    sim.setHolding(500, 42);
    other.setHolding(500, 43);
    poller.configure([plcAt(1, sim.port)], [...all, added]);
    await rec.until('added point', () => latestValueOf(rec, added) === 42);
    poller.configure([plcAt(1, other.port)], [...all, added]);
    await rec.until('value from the other PLC', () => latestValueOf(rec, added) === 43);
    expect(poller.stats().restarts).toBe(0);
    expect(workers).toHaveLength(1);
    expect(sim.stats().open).toBe(0);
    poller.configure([plcAt(1, sim.port)], all);
    await rec.until('back on the first PLC', () => sim.stats().open === 1 && latestValueOf(rec, points.u16) === 111);
  });

  it('reports a disabled PLC once and skips invalid rows without throwing', async () => {
    const extra = pt(2, { area: 'holding', address: 1 });
    const disabled = { ...plcAt(2, sim.port), enabled: false };
    const broken = { ...plcAt(3, sim.port), port: 70000 };
    poller.configure([plcAt(1, sim.port), disabled, broken], [...all, extra, { ...extra, id: 999, type: 'double' } as never]);
    await rec.until('disabled status', () => rec.lastStatus(2)?.error === 'PLC disabled');
    await rec.until('disabled point bad', () => rec.latest.get(extra.id)?.error === 'PLC disabled');
    expect(rec.lastStatus(2)?.connected).toBe(false);
    expect(rec.logs.filter((l) => l.startsWith('warn poller: skipped'))).toHaveLength(2);
    poller.configure([plcAt(1, sim.port)], all);
  });

  it('marks everything bad while a killed worker restarts, then reads again', async () => {
    for (const [i, kill] of [
      () => void workers.at(-1)?.terminate(),
      () => workers.at(-1)?.postMessage({ type: 'debug', action: 'throw' }),
      () => workers.at(-1)?.postMessage({ type: 'debug', action: 'hang' }),
    ].entries()) {
      const mark = rec.batches.length;
      const bad = (p: PollerPoint) =>
        rec.batches.slice(mark).some((b) => b.samples.some((s) => s.datapoint_id === p.id && s.error === 'poller restarting'));
      kill();
      await rec.until(`restart marks (${i})`, () => all.every(bad));
      expect(rec.lastStatus(1)).toMatchObject({ connected: false, error: 'poller restarting' });
      await rec.until(`good again (${i})`, () => all.every((p) => rec.latest.get(p.id)?.quality === 'good'));
      expect(latestValueOf(rec, points.u16)).toBe(111);
    }
    expect(poller.stats().restarts).toBe(3);
    expect(rec.logs.filter((l) => l.startsWith('error poller worker'))).toEqual([
      expect.stringContaining('exited with code 1'),
      expect.stringContaining('threw: poller worker crash requested by a test'),
      expect.stringContaining('stopped answering heartbeats'),
    ]);
  });
});

describe('several requests in flight (max_in_flight)', () => {
  it('keeps up to max_in_flight requests out and credits every reply to its own points', async () => {
    const sim = await createSimulator();
    const rec = createRecorder();
    const poller = createPoller({ ...rec.callbacks, heartbeatMs: 1000, reconnectMaxMs: 100 });
    try {
      // 1000 registers: 8 requests per cycle, each register a different value.
      const pts = Array.from({ length: 1000 }, (_, address) => pt(9, { area: 'holding', address }));
      const expected = (address: number) => (address * 7 + 3) & 0xffff;
      for (let a = 0; a < 1000; a++) sim.setHolding(a, expected(a));
      sim.setFault({ kind: 'silent' });
      poller.configure([{ ...plcAt(9, sim.port), max_in_flight: 4, timeout_ms: 1500 }], pts);
      await poller.start();

      // Within the time-out, so one request at a time could not get there.
      await sim.untilRequests(4, 1000);
      // Four out and no more: requests issued in one turn leave in one segment, so a fifth sent
      // without waiting for a reply would have arrived (and been counted) with these.
      expect(sim.stats().requests).toBe(4);
      sim.setFault(null);
      await rec.until('every value on its own point', () =>
        pts.every((p) => rec.latest.get(p.id)?.quality === 'good' && rec.latest.get(p.id)?.value === expected(p.address)),
      );
    } finally {
      await poller.stop();
      await sim.close();
    }
  });
});
