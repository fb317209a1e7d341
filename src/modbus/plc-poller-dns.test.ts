import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../kernel/clock.js';
import { manualClock } from '../kernel/manual-clock.js';
import { createHostResolver, resolvingConnect, type LookupHost } from './host-resolver.js';
import { connectPlc } from './plc-connection.js';
import { startPlcPoller, type PlcPoller } from './plc-poller.js';
import type { PollerPlc, PollerPoint } from './protocol.js';
import { createSimulator, type Simulator } from './simulator.js';

// A PLC configured by name keeps being polled when DNS stops answering: the poller reconnects to
// the last good address instead of waiting on a look-up (issue 11: a busy libuv pool starved it).
const plc = (port: number): PollerPlc => ({
  id: 1,
  host: 'localhost',
  port,
  unit_id: 1,
  poll_interval_ms: 20,
  timeout_ms: 200,
  max_in_flight: 1,
  enabled: true,
});
const point: PollerPoint = { id: 5, plc_id: 1, area: 'holding', address: 10, type: 'uint16', word_order: 'big', scale: 1, offset: 0 };

/** Runs a PLC poller and lets the test await what it reports. */
function harness(port: number, lookup: LookupHost) {
  const waiters = new Set<() => void>();
  const notify = () => [...waiters].forEach((w) => w());
  const clock = manualClock(Date.now());
  const setTimer = clock.setTimer;
  clock.setTimer = (at, fn) => {
    const handle = setTimer(at, fn);
    notify();
    return handle;
  };
  const state = { value: null as number | null, connected: false, replies: 0 };
  const poller: PlcPoller = startPlcPoller(plc(port), [point], {
    connect: resolvingConnect(connectPlc, createHostResolver({ lookup, clock, ttlMs: 60_000, slowMs: 200 })),
    clock: systemClock(), // the look-ups run on `clock`, the poll loop in real time
    monotonic: () => performance.now(),
    random: Math.random,
    reconnectMaxMs: 100,
    onValues(_plcId, _ts, changes) {
      const i = changes.ids.indexOf(point.id);
      if (i >= 0) state.value = changes.quality[i] === 1 ? (changes.values[i] ?? null) : null;
      notify();
    },
    onStatus(_plcId, status) {
      state.connected = status.connected;
      notify();
    },
    onReply() {
      state.replies++;
      notify();
    },
  });
  function until(what: string, predicate: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`));
      }, 5000);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }
  return { clock, state, poller, until };
}

describe('a PLC configured by host name', () => {
  let sim: Simulator;
  let stop: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    sim = await createSimulator();
  });
  afterEach(async () => {
    await stop?.();
    sim.setFault(null);
  });
  afterAll(() => sim.close());

  /** Drops the poller's connection once; resolves with the connection count before. */
  const dropConnection = () => {
    const accepted = sim.stats().accepted;
    sim.setFault({ kind: 'close' });
    sim.setFault(null);
    return accepted;
  };

  it('reconnects to the last good address when the look-up fails', async () => {
    sim.setHolding(point.address, 111);
    const lookups: string[] = [];
    const lookup: LookupHost = async (host) => {
      lookups.push(host);
      if (lookups.length === 1) return '127.0.0.1';
      throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN' });
    };
    const h = harness(sim.port, lookup);
    stop = () => h.poller.stop();
    await h.until('first value', () => h.state.value === 111 && h.state.connected);

    h.clock.advance(60_000); // the cached address is due for a refresh
    const accepted = dropConnection();
    sim.setHolding(point.address, 222);
    await h.until('value after the reconnect', () => h.state.value === 222);
    expect(sim.stats().accepted).toBeGreaterThan(accepted);
    expect(lookups).toEqual(['localhost', 'localhost']);
    expect(h.state.connected).toBe(true);
  });

  it('reconnects to the last good address while the look-up hangs', async () => {
    sim.setHolding(point.address, 333);
    let lookups = 0;
    const lookup: LookupHost = (host) => (++lookups === 1 ? Promise.resolve('127.0.0.1') : new Promise<string>(() => void host));
    const h = harness(sim.port, lookup);
    stop = () => h.poller.stop();
    await h.until('first value', () => h.state.value === 333);

    h.clock.advance(60_000);
    const accepted = dropConnection();
    await h.until('the reconnect waiting on the look-up', () => h.clock.pending() > 0);
    h.clock.advance(200); // slowMs: give up waiting
    sim.setHolding(point.address, 444);
    await h.until('value after the reconnect', () => h.state.value === 444);
    expect(sim.stats().accepted).toBeGreaterThan(accepted);
    expect(lookups).toBe(2);
  });
});
