/** Keeps one poller worker alive: heartbeats, restart with backoff, and an orderly stop. */
import type { Worker } from 'node:worker_threads';
import * as v from 'valibot';
import type { Clock } from '../kernel/clock.js';
import { fullJitter, type BackoffOptions } from './backoff.js';
import { workerToMainSchema, type MainToWorker, type PongMessage, type WorkerToMain } from './protocol.js';

export interface SupervisorOptions {
  spawn(): Worker;
  heartbeatMs: number;
  /** How long a fresh worker may take to answer its first ping (loading code takes a while). */
  startTimeoutMs: number;
  restartBackoff: BackoffOptions;
  stopTimeoutMs: number;
  clock: Clock;
  random(): number;
  /** Every message but pongs, already validated. */
  onMessage(message: Exclude<WorkerToMain, PongMessage>): void;
  onPong(message: PongMessage): void;
  /** A fresh worker is listening; send it the configuration. */
  onUp(): void;
  /** The worker is gone (crash, exit, hang); a restart is scheduled. */
  onDown(reason: string): void;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export interface Supervisor {
  /** Resolves once the first worker answers a ping, or has failed (never rejects). */
  start(): Promise<void>;
  send(message: MainToWorker): void;
  stop(): Promise<void>;
  restarts(): number;
}

export function createSupervisor(o: SupervisorOptions): Supervisor {
  let worker: Worker | null = null;
  let stopping = false;
  let attempts = 0;
  let restarts = 0;
  let pingId = 0;
  let awaiting: number | null = null; // id of the unanswered ping
  let answered = false; // the current worker has answered a ping
  let heartbeat: unknown = null;
  let restartTimer: unknown = null;
  let firstSettled: (() => void) | null = null;
  const after = (ms: number, fn: () => void): unknown => o.clock.setTimer(o.clock.now() + ms, fn);

  function launch(): void {
    restartTimer = null;
    let lost = false;
    let crash: string | null = null;
    let w: Worker;
    try {
      w = o.spawn();
    } catch (err) {
      failed(`could not start: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    worker = w;
    const down = (reason: string): void => {
      if (lost) return;
      lost = true;
      if (worker === w) worker = null;
      if (!stopping) failed(reason);
    };
    w.on('message', (raw: unknown) => {
      if (lost) return; // a dying worker's last words must not undo "poller restarting"
      const parsed = v.safeParse(workerToMainSchema, raw);
      if (!parsed.success) return o.log.warn(`poller: ignored a malformed worker message (${parsed.issues[0]?.message})`);
      const m = parsed.output;
      if (m.type !== 'pong') return o.onMessage(m);
      if (m.id === awaiting) awaiting = null;
      answered = true;
      attempts = 0;
      firstSettled?.();
      o.onPong(m);
    });
    w.on('error', (err) => void (crash = `threw: ${err.message}`));
    w.on('messageerror', (err) => o.log.warn(`poller: undeliverable worker message: ${err.message}`));
    w.on('exit', (code) => down(crash ?? `exited with code ${code}`));
    awaiting = null;
    answered = false;
    // Until its first pong a fresh worker gets startTimeoutMs, counted in heartbeats.
    let grace = Math.ceil(o.startTimeoutMs / o.heartbeatMs);
    beat(w, () => {
      if (!answered && grace-- > 0) return false;
      down('stopped answering heartbeats');
      void w.terminate();
      return true;
    });
    o.onUp();
  }

  /** Pings; by the next beat the answer must have come, or `hung` decides. */
  function beat(w: Worker, hung: () => boolean): void {
    if (awaiting !== null) {
      if (hung()) return;
    } else {
      awaiting = ++pingId;
      w.postMessage({ type: 'ping', id: awaiting } satisfies MainToWorker);
    }
    heartbeat = after(o.heartbeatMs, () => beat(w, hung));
  }

  function failed(reason: string): void {
    o.clock.clearTimer(heartbeat);
    attempts++;
    restarts++;
    const delay = Math.max(o.restartBackoff.baseMs, fullJitter(attempts, o.restartBackoff, o.random));
    o.log.error(`poller worker ${reason}; restarting in ${delay} ms`);
    o.onDown(reason);
    firstSettled?.();
    restartTimer = after(delay, launch);
  }

  return {
    start() {
      stopping = false;
      if (worker !== null || restartTimer !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        firstSettled = () => {
          firstSettled = null;
          resolve();
        };
        launch();
      });
    },
    send(message) {
      worker?.postMessage(message);
    },
    async stop() {
      stopping = true;
      o.clock.clearTimer(heartbeat);
      o.clock.clearTimer(restartTimer);
      restartTimer = null;
      firstSettled?.();
      const w = worker;
      worker = null;
      if (w === null) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ type: 'stop' } satisfies MainToWorker);
      let timer: unknown;
      const late = new Promise<'late'>((resolve) => (timer = after(o.stopTimeoutMs, () => resolve('late'))));
      if ((await Promise.race([exited, late])) === 'late') {
        o.log.warn(`poller worker did not stop within ${o.stopTimeoutMs} ms; terminating it`);
        await w.terminate();
      }
      o.clock.clearTimer(timer);
    },
    restarts: () => restarts,
  };
}
