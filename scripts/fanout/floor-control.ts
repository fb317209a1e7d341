import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FloorAnswer, FloorQuestion, FloorReady } from './floor-process.js';
import { procCpuMs, procMemory } from './proc-stats.js';
import { clientRpc } from './protocol.js';
import type { Runtime } from './server-command.js';
import type { SimulatorProcess } from './sim-control.js';

export interface FloorOptions {
  /** The repo: its dist/ holds the compiled floor (npm run build) that node runs; bun runs the .ts. */
  repo: string;
  /** node: this node runs dist/scripts/fanout/floor-process.js; bun: node_modules/.bin/bun runs scripts/fanout/floor-process.ts. */
  runtime: Runtime;
  /** Node flags for the floor (none by default: a plain `node`); not used on Bun. */
  nodeFlags: string[];
  sim: SimulatorProcess;
  registers: number;
  pollMs: number;
}

/** Starts the floor (floor-process.ts) as a process of its own on `runtime`, polling `sim`. */
export async function startFloorProcess(options: FloorOptions) {
  const [file, args] =
    options.runtime === 'bun'
      ? [join(options.repo, 'node_modules/.bin/bun'), ['scripts/fanout/floor-process.ts']]
      : [process.execPath, [...options.nodeFlags, 'dist/scripts/fanout/floor-process.js']];
  const child = spawn(file, args, {
    cwd: options.repo,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      FLOOR_SIM_PORT: String(options.sim.port),
      FLOOR_REGISTERS: String(options.registers),
      FLOOR_POLL_MS: String(options.pollMs),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the floor');
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const { port, kind } = await new Promise<FloorReady>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the floor exited during start-up (${code})`)));
  });
  const ask = clientRpc<FloorQuestion>(child);
  return {
    pid,
    command: [file, ...args].join(' '),
    /** Which floor it is, as the floor process says. */
    kind,
    wsUrl: `ws://127.0.0.1:${port}/`,
    sseUrl: `http://127.0.0.1:${port}/sse`,
    clients: async () => (await ask<FloorAnswer>({ cmd: 'clients' })).clients,
    memory: () => procMemory(pid),
    cpuMs: () => procCpuMs(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          process.off('exit', orphan);
          resolve();
        });
        child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export type FloorProcess = Awaited<ReturnType<typeof startFloorProcess>>;
