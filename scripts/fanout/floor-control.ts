import { spawn } from 'node:child_process';
import type { FloorAnswer, FloorQuestion, FloorReady } from './floor-process.js';
import { procCpuMs, procMemory } from './proc-stats.js';
import { clientRpc } from './protocol.js';
import type { SimulatorProcess } from './sim-control.js';

export interface FloorOptions {
  /** The repo whose dist/ holds the compiled floor (npm run build). */
  repo: string;
  /** Node flags for the floor (none by default: a plain `node`). */
  nodeFlags: string[];
  sim: SimulatorProcess;
  registers: number;
  pollMs: number;
}

/** Starts the floor (floor-process.ts, compiled) as a process of its own, polling `sim`. */
export async function startFloorProcess(options: FloorOptions) {
  const script = 'dist/scripts/fanout/floor-process.js';
  const child = spawn(process.execPath, [...options.nodeFlags, script], {
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
  const { port } = await new Promise<FloorReady>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the floor exited during start-up (${code})`)));
  });
  const ask = clientRpc<FloorQuestion>(child);
  return {
    pid,
    command: `node ${[...options.nodeFlags, script].join(' ')}`,
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
