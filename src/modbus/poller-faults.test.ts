import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller, type Poller, type PollerPlc, type PollerPoint } from './poller.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createRecorder, type Recorder } from './test-recorder.js';

const point = (id: number, address: number): PollerPoint => ({
  id,
  plc_id: 7,
  area: 'holding',
  address,
  type: 'uint16',
  word_order: 'big',
  scale: 1,
  offset: 0,
});
// Far apart: two requests, so a reply credited to the wrong one would show as a wrong value.
const low = point(1, 10);
const high = point(2, 300);
const expected = new Map([
  [low.id, 111],
  [high.id, 222],
]);

describe('poller under faults', () => {
  let sim: Simulator;
  let poller: Poller;
  let rec: Recorder;
  let plc: PollerPlc;

  /**
   * For tests that assert a connection is kept: a 150 ms time-out can trip by itself on a loaded
   * machine (CI), and the connection it drops would be counted as the fault's doing.
   */
  const patient = () => poller.configure([{ ...plc, timeout_ms: 5000 }], [low, high]);

  const good = (): boolean => [low, high].every((p) => rec.latest.get(p.id)?.quality === 'good');
  const badWith = (re: RegExp) => (): boolean => [low, high].every((p) => re.test(rec.latest.get(p.id)?.error ?? ''));

  beforeAll(async () => {
    sim = await createSimulator();
    sim.setHolding(low.address, 111);
    sim.setHolding(high.address, 222);
    plc = { id: 7, host: '127.0.0.1', port: sim.port, unit_id: 1, poll_interval_ms: 50, timeout_ms: 150, max_in_flight: 1, enabled: true };
    rec = createRecorder();
    poller = createPoller({ ...rec.callbacks, heartbeatMs: 1000, reconnectMaxMs: 200 });
    poller.configure([plc], [low, high]);
    await poller.start();
  });

  beforeEach(async () => {
    poller.configure([plc], [low, high]); // the short time-out again, after a patient test
    sim.setFault(null);
    await sim.accept();
    await rec.until('healthy start', () => good() && rec.lastStatus(7)?.connected === true);
  });

  afterAll(async () => {
    await poller.stop();
    // Nothing terminated the worker: it closed its sockets and exited by itself.
    expect(rec.logs.filter((l) => l.includes('did not stop'))).toEqual([]);
    await vi.waitFor(() => expect(sim.stats().open).toBe(0));
    await sim.close();
    // Whatever happened, no good sample ever carried the other request's value.
    for (const [id, value] of expected) {
      expect(rec.history(id).filter((s) => s.quality === 'good' && s.value !== value)).toEqual([]);
    }
  });

  it.each([
    [0x01, 'Modbus exception 01 (illegal function)'],
    [0x02, 'Modbus exception 02 (illegal data address)'],
    [0x03, 'Modbus exception 03 (illegal data value)'],
    [0x04, 'Modbus exception 04 (server device failure)'],
    [0x0a, 'Modbus exception 0A (gateway path unavailable)'],
    [0x0b, 'Modbus exception 0B (gateway target device failed to respond)'],
  ])('exception %i marks only that request bad and keeps the connection', async (code, message) => {
    patient();
    const statusesBefore = rec.statuses.length;
    const accepted = sim.stats().accepted;
    sim.setFault({ kind: 'exception', code, from: high.address, to: high.address });
    await rec.until(message, () => rec.latest.get(high.id)?.error === message);
    expect(rec.latest.get(high.id)).toMatchObject({ quality: 'bad', value: null });
    expect(rec.latest.get(low.id)).toMatchObject({ quality: 'good', value: 111 });
    expect(rec.statuses.slice(statusesBefore)).toEqual([]);
    expect(sim.stats().accepted).toBe(accepted);
  });

  it('a refused connection: disconnected, bad, then back', async () => {
    await sim.refuse();
    await rec.until('refused', () => /connection refused/.test(rec.lastStatus(7)?.error ?? ''));
    expect(rec.lastStatus(7)).toMatchObject({ connected: false, last_ok_at: expect.any(Number) });
    await rec.until('points bad', badWith(/connection refused by 127\.0\.0\.1:\d+/));
    await sim.accept();
    await rec.until('recovered', () => good() && rec.lastStatus(7)?.connected === true);
  });

  it('a device that accepts but never answers times out', async () => {
    sim.setFault({ kind: 'silent' });
    await rec.until('timeout', badWith(/no reply from 127\.0\.0\.1:\d+ within 150 ms/));
    expect(rec.lastStatus(7)).toMatchObject({ connected: false, error: expect.stringMatching(/no reply/) });
    // Each timeout replaced the socket, so silent sockets do not pile up.
    await sim.untilRequests(sim.stats().requests + 3);
    await vi.waitFor(() => expect(sim.stats().open).toBeLessThanOrEqual(1));
  });

  it('a device that closes every connection', async () => {
    sim.setFault({ kind: 'close' });
    await rec.until('closed', badWith(/connection closed by|connection reset by/));
    expect(rec.lastStatus(7)?.connected).toBe(false);
  });

  it('a reset in the middle of a reply', async () => {
    sim.setFault({ kind: 'reset' });
    await rec.until('reset', badWith(/connection reset by 127\.0\.0\.1:\d+/));
    expect(rec.lastStatus(7)?.connected).toBe(false);
  });

  it('a reply with another MBAP protocol id is a protocol error, never a value', async () => {
    const accepted = sim.stats().accepted;
    sim.setFault({ kind: 'protocol', id: 1 });
    await rec.until('protocol error', badWith(/bad reply from 127\.0\.0\.1:\d+: bad MBAP header \(protocol 1, length 5\)/));
    expect(rec.lastStatus(7)).toMatchObject({ connected: false, error: expect.stringMatching(/bad MBAP header/) });
    expect(rec.latest.get(low.id)).toMatchObject({ quality: 'bad', value: null });
    // Each bad reply dropped its socket.
    await sim.untilRequests(sim.stats().requests + 2);
    expect(sim.stats().accepted).toBeGreaterThan(accepted + 1);
  });

  it('a late answer is dropped, never credited to the next request', async () => {
    sim.setFault({ kind: 'late', ms: 250 });
    await rec.until('timeout', badWith(/no reply/));
    expect(rec.lastStatus(7)?.connected).toBe(false);
    sim.setFault(null);
    await rec.until('recovered', good);
    // Poll on while the late replies (250 ms) land on sockets we already closed.
    await sim.untilRequests(sim.stats().requests + 20);
    expect(rec.latest.get(low.id)).toMatchObject({ quality: 'good', value: 111 });
    expect(rec.latest.get(high.id)).toMatchObject({ quality: 'good', value: 222 });
  });

  it('a late answer within the timeout is just slow', async () => {
    patient();
    const before = rec.statuses.length;
    sim.setFault({ kind: 'late', ms: 40 });
    await sim.untilRequests(sim.stats().requests + 8);
    expect(rec.statuses.slice(before)).toEqual([]);
    expect(good()).toBe(true);
  });
});

describe('stopping the poller', () => {
  it('ends the worker by itself at once, though a request is out under a long time-out', async () => {
    const sim = await createSimulator();
    const rec = createRecorder();
    const poller = createPoller({ ...rec.callbacks, heartbeatMs: 1000, reconnectMaxMs: 200 });
    const plc = {
      id: 7,
      host: '127.0.0.1',
      port: sim.port,
      unit_id: 1,
      poll_interval_ms: 50,
      timeout_ms: 30_000,
      max_in_flight: 1,
      enabled: true,
    };
    poller.configure([plc], [low]);
    await poller.start();
    await rec.until('polled', () => rec.latest.get(low.id)?.quality === 'good');
    sim.setFault({ kind: 'silent' });
    await sim.untilRequests(sim.stats().requests + 1); // out, and never answered
    await poller.stop();
    // modbus-serial's own 30 s timer of that request would have kept the worker alive past the stop's 1 s.
    expect(rec.logs.filter((l) => l.includes('did not stop'))).toEqual([]);
    await sim.close();
  });
});
