/**
 * The soak's PLC: a Modbus TCP simulator in a process of its own (so the bench's clients never
 * delay a reply) whose holding registers 0..count-1 all flip between 0 and 100 every
 * `periodMs`. Forked by bench-soak.ts with `{count, periodMs}` in SOAK_SIM; answers
 * `{cmd:'requests'}` over IPC and stops when the channel closes.
 */
import { createSimulator } from '../../src/modbus/simulator.js';

/** Sent once, before anything else, when the simulator listens. */
export type SimReady = { port: number };
/** The one question the bench asks; the answer carries the same `id`. */
export type SimQuestion = { cmd: 'requests' | 'flips' };
export type SimAnswer = { requests: number; flips: number };

const { count, periodMs } = JSON.parse(process.env['SOAK_SIM'] ?? '{"count":5,"periodMs":200}') as { count: number; periodMs: number };
const sim = await createSimulator();
let high = false;
let flips = 0;

const flip = setInterval(() => {
  high = !high;
  flips++;
  for (let address = 0; address < count; address++) sim.setHolding(address, high ? 100 : 0);
}, periodMs);

process.on('message', (m: SimQuestion & { id: number }) => {
  process.send?.({ id: m.id, requests: sim.stats().requests, flips } satisfies SimAnswer & { id: number });
});
process.on('disconnect', () => {
  clearInterval(flip);
  void sim.close().then(() => process.exit(0));
});
process.send?.({ port: sim.port } satisfies SimReady);
