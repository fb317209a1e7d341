/**
 * A bench PLC: a Modbus simulator in a process of its own, so that a busy server (or floor)
 * never delays a reply and the poll wait and round trip are the device's. Forked through
 * sim-control.ts (fan-out: one for the app, one for the floor) and by the abuse bench;
 * answers over IPC.
 */
import { createSimulator } from '../../src/modbus/simulator.js';
import { monoNow } from './mono-clock.js';

/**
 * `toggle`: flip holding registers 0..count-1 (count defaults to 1), each between 0 and 100,
 * so every one of them crosses a limit of 50; `requests`: how many requests so far.
 */
export type SimCommand = { cmd: 'toggle' | 'requests'; count?: number };
/** `at`: when the first read after the flip arrived (monoNow); `requests`: the count. */
export type SimAnswer = { at?: number; requests?: number };
/** Sent once, before any command, when the simulator listens. */
export type SimReady = { port: number };

const sim = await createSimulator();
const high: boolean[] = [];

process.on('message', (m: SimCommand & { id: number }) => {
  const reply = (r: SimAnswer & { id: number }) => process.send?.(r);
  if (m.cmd === 'requests') return reply({ id: m.id, requests: sim.stats().requests });
  const polled = sim.untilRequests(sim.stats().requests + 1);
  for (let address = 0; address < (m.count ?? 1); address++) {
    high[address] = !high[address];
    sim.setHolding(address, high[address] ? 100 : 0);
  }
  void polled.then(() => reply({ id: m.id, at: monoNow() }));
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
process.send?.({ port: sim.port } satisfies SimReady);
