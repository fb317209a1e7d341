/**
 * The bench PLC: a Modbus simulator in a process of its own, so that the server's event loop
 * (busy fanning out) never delays a reply and the poll wait and round trip are the device's.
 * Forked by app-under-test.ts; answers over IPC.
 */
import { createSimulator } from '../../src/modbus/simulator.js';
import { wallNow } from './wall-clock.js';

/** What the bench asks: flip register 0 between 0 and 100, or how many requests so far. */
export type SimCommand = { cmd: 'toggle' | 'requests' };
/** `at`: when the first read after the flip arrived (wall clock); `requests`: the count. */
export type SimAnswer = { at?: number; requests?: number };
/** Sent once, before any command, when the simulator listens. */
export type SimReady = { port: number };

const sim = await createSimulator();
let high = false;

process.on('message', (m: SimCommand & { id: number }) => {
  const reply = (r: SimAnswer & { id: number }) => process.send?.(r);
  if (m.cmd === 'requests') return reply({ id: m.id, requests: sim.stats().requests });
  const polled = sim.untilRequests(sim.stats().requests + 1);
  high = !high;
  sim.setHolding(0, high ? 100 : 0);
  void polled.then(() => reply({ id: m.id, at: wallNow() }));
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
process.send?.({ port: sim.port } satisfies SimReady);
