import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { procCpuMs, procMemory } from './proc-stats.js';
import { serverCommand, type Runtime } from './server-command.js';
import type { SimulatorProcess } from './sim-control.js';

const ADMIN = { username: 'admin', password: 'bench-admin-password' };

export interface AppOptions {
  /** The repo to run (built beforehand for node). */
  repo: string;
  runtime: Runtime;
  /** Replaces the node flags of `npm start` (undefined: keep them). */
  nodeFlags: string[] | undefined;
  /** The bench PLC: a simulator, in a process of its own or the bench's. */
  sim: Pick<SimulatorProcess, 'host' | 'port' | 'requests'>;
  /** Holding registers 0..registers-1 of `sim`, each a datapoint with a rule (ALARM above 50). */
  registers: number;
  pollMs: number;
}

/**
 * The app as its own process, started as `npm start` starts it (server-command.ts), minus the
 * demo plant: a SQLite file in a temporary folder, a free port, one admin, heartbeats every
 * 2 minutes (none inside a measured round), the per-user stream cap lifted above the bench's
 * clients (all the one admin). Then, over the REST API, one PLC (`sim`, polled every `pollMs`)
 * with a datapoint and a rule per register.
 */
export async function startAppUnderTest(options: AppOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const { file, args } = serverCommand(options.repo, options.runtime, options.nodeFlags);
  const child = spawn(file, args, {
    cwd: options.repo,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE: join(dir, 'alarms.sqlite'),
      DEMO: '0',
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
      HEARTBEAT_MS: '120000',
      MAX_STREAMS_PER_USER: '100000',
      // Bun's own flags, e.g. BUN_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" (a profile written on exit).
      ...(process.env['BUN_OPTIONS'] && { BUN_OPTIONS: process.env['BUN_OPTIONS'] }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${file}`);
  // Whichever way the bench ends (a throw, the watchdog), the server goes with it.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const log: string[] = [];
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not print "listening on" within 20 s: ${log.slice(-5).join(' | ')}`)),
      20_000,
    );
    const onLine = (line: string) => {
      log.push(line);
      const m = /listening on http:\/\/[^\s:]+:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    void exited.then((how) => reject(new Error(`the app exited during start-up (${how}): ${log.slice(-5).join(' | ')}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const token = await signIn(url);
  await createPlant(url, token, options);

  return {
    pid,
    command: [file, ...args].join(' '),
    url,
    token,
    log,
    memory: () => procMemory(pid),
    cpuMs: () => procCpuMs(pid),
    /** The bench PLC's reads so far and their summed round trips, from `GET /api/stats`. */
    async pollReads(): Promise<{ reads: number; latencySum: number }> {
      const res = await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${token}` } });
      const plc = ((await res.json()) as { plcs: { reads: number; avg_latency_ms: number | null }[] }).plcs[0];
      return { reads: plc?.reads ?? 0, latencySum: (plc?.avg_latency_ms ?? 0) * (plc?.reads ?? 0) };
    },
    /** The streams the app's hub holds, by transport, from `GET /api/stats`. */
    async streams(): Promise<{ ws: number; sse: number }> {
      const res = await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${token}` } });
      return ((await res.json()) as { connections: { by_transport: { ws: number; sse: number } } }).connections.by_transport;
    },
    /** SIGTERM (as a supervisor stops it), SIGKILL after 10 s; resolves with the exit code or signal. */
    async stop(): Promise<string> {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const how = await exited;
      clearTimeout(timer);
      process.off('exit', orphan);
      rmSync(dir, { recursive: true, force: true });
      return how;
    },
  };
}

export type AppUnderTest = Awaited<ReturnType<typeof startAppUnderTest>>;

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One PLC on the simulator; register i is datapoint LT-i with rule "LT-i high" (ALARM above 50). */
async function createPlant(url: string, token: string, { sim, registers, pollMs }: AppOptions): Promise<void> {
  const post = async (path: string, body: object): Promise<number> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: number }).id;
  };
  const plc = await post('/api/plcs', { name: 'Bench PLC', host: sim.host, port: sim.port, poll_interval_ms: pollMs, timeout_ms: 1000 });
  for (let address = 0; address < registers; address++) {
    const point = await post('/api/datapoints', { plc_id: plc, label: `LT-${address}`, area: 'holding', address, type: 'uint16' });
    await post('/api/rules', { datapoint_id: point, name: `LT-${address} high`, comparison: 'above', alarm_threshold: 50 });
  }
  // Polled and evaluated (OK) before any client connects, so clients see only what the bench causes.
  const start = await sim.requests();
  for (let tries = 0; (await sim.requests()) < start + 3; tries++) {
    if (tries > 100) throw new Error('the bench PLC was never polled');
    await sleep(pollMs);
  }
}
