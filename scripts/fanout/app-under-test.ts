import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { JournalEvent } from '../../src/db/events.js';
import { memoryLogger } from '../../src/log/logger.js';
import { clientRpc } from './protocol.js';
import type { SimAnswer, SimCommand, SimReady } from './simulator-process.js';
import { wallNow } from './wall-clock.js';

const ADMIN = { username: 'admin', password: 'bench-admin-password' };

/**
 * The real server as `npm start` builds it, minus the demo plant: a SQLite file at
 * synchronous=FULL in a temporary folder, a free port, a quiet logger, and one PLC (the
 * simulator, in its own process, polled every 50 ms) with one datapoint and one rule for the
 * end-to-end latency.
 * Heartbeats are set to 2 minutes so that none lands inside a measured run (the default 30 s
 * would tick several times during the bench).
 */
export async function startAppUnderTest() {
  const log = memoryLogger();
  const dir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const sim = await startSimulatorProcess();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE: join(dir, 'alarms.sqlite'),
    DEMO: '0',
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
    HEARTBEAT_MS: '120000',
    // Every bench client is the one admin: lift the per-user stream cap above them all.
    MAX_STREAMS_PER_USER: '100000',
  });
  const app = createApp(config, { log });
  await app.start();

  // Log in over HTTP, as a client would.
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const token = ((await res.json()) as { access_token: string }).access_token;
  const plant = await createPlant(app.url, token, sim);

  return {
    app,
    log,
    token,
    timing: timeHubPublish(app),
    plant,
    /** The folder of the app's database, for measurements on the same disk. */
    dir,
    async stop() {
      await app.stop();
      sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The simulator process, and a way to ask it things. */
async function startSimulatorProcess() {
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
    /** Flips the level and resolves with when the first read after it reached the simulator. */
    toggle: async () => (await ask<SimAnswer>({ cmd: 'toggle' })).at ?? NaN,
    close: () => child.disconnect(),
  };
}

type SimulatorProcess = Awaited<ReturnType<typeof startSimulatorProcess>>;

/** Register 0 of the simulator, read as a level whose rule alarms above 50. */
async function createPlant(url: string, token: string, sim: SimulatorProcess) {
  const post = async (path: string, body: object): Promise<{ id: number }> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number };
  };
  const plc = await post('/api/plcs', { name: 'Bench PLC', host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: 500 });
  const point = await post('/api/datapoints', { plc_id: plc.id, label: 'LT-1', area: 'holding', address: 0, type: 'uint16' });
  await post('/api/rules', { datapoint_id: point.id, name: 'LT-1 high', comparison: 'above', alarm_threshold: 50 });
  // Polled and evaluated (OK) before any client connects, so clients see only what the bench causes.
  for (let tries = 0; (await sim.requests()) < 3; tries++) {
    if (tries > 100) throw new Error('the bench PLC was never polled');
    await sleep(50);
  }
  return {
    /**
     * Moves the level across the limit (each call raises or clears the alarm) and resolves
     * with the time the simulator received the poll that read the new value: the poll wait
     * and the request's way to the device end there.
     */
    toggle: () => sim.toggle(),
  };
}

/**
 * Timestamps each journaled batch when the journal's listeners get it (the commit is done)
 * and when the hub's publish (the synchronous fan-out into every client's buffer) has
 * returned. The hub subscribed `hub.publish` at start; removing and re-adding that same
 * function puts it between two timing listeners (listeners run in subscription order).
 */
function timeHubPublish(app: ReturnType<typeof createApp>) {
  const committedAt = new Map<string, number>();
  const fannedOutAt = new Map<string, number>();
  const batchOf = (events: JournalEvent[]) => String(events[0]?.payload['bench']).split(':').slice(0, 2).join(':');

  const publish = app.hub.publish;
  app.journal.subscribe(publish)(); // subscribe() of a function already there returns its remover
  const engineCommits: number[] = [];
  app.journal.subscribe((events) => {
    const at = wallNow();
    if (events[0]?.payload['bench'] === undefined) {
      if (events[0]?.type === 'alarm_state') engineCommits.push(at);
    } else committedAt.set(batchOf(events), at);
  });
  app.journal.subscribe(publish);
  app.journal.subscribe((events) => void fannedOutAt.set(batchOf(events), wallNow()));

  return {
    /** When batch `batch` of run `run` was committed and when the hub had fanned it out. */
    of: (run: number, batch: number) => ({ committedAt: committedAt.get(`${run}:${batch}`) ?? NaN, fannedOutAt: fannedOutAt.get(`${run}:${batch}`) ?? NaN }),
    /** When each alarm_state the engine raised (not the bench) was committed, in order. */
    engineCommits,
  };
}

export type AppUnderTest = Awaited<ReturnType<typeof startAppUnderTest>>;
