import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clientRpc } from './protocol.js';
import type { SimAnswer, SimCommand, SimReady } from './simulator-process.js';

/** A bench PLC (simulator-process.ts) in its own process, and what the bench asks it. */
export async function startSimulatorProcess() {
  const child = fork(fileURLToPath(new URL('./simulator-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    cwd: fileURLToPath(new URL('../..', import.meta.url)), // where `tsx` resolves
  });
  const { port } = await new Promise<SimReady>((resolve) => child.once('message', resolve));
  const ask = clientRpc<SimCommand>(child);
  return {
    host: '127.0.0.1',
    port,
    requests: async () => (await ask<SimAnswer>({ cmd: 'requests' })).requests ?? 0,
    /**
     * Flips holding registers 0..count-1 across the limit and resolves with when the first read
     * after the flip reached the simulator (monoNow): the poll wait and the request's way
     * to the device end there.
     */
    toggle: async (count: number) => (await ask<SimAnswer>({ cmd: 'toggle', count })).at ?? NaN,
    close: () => child.disconnect(),
  };
}

export type SimulatorProcess = Awaited<ReturnType<typeof startSimulatorProcess>>;
