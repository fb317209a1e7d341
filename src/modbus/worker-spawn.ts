/** Starts the poller worker from source (.ts, through a tsx bootstrap) or from the build (.js). */
import { Worker } from 'node:worker_threads';

export interface SpawnOptions {
  /** Lets the worker honour the `debug` test hooks (crash, hang). */
  debug?: boolean;
}

export function spawnPollerWorker(options: SpawnOptions = {}): Worker {
  const here = import.meta.url;
  const debug = options.debug === true;
  if (here.endsWith('.ts')) {
    const entry = new URL('./poller-worker.ts', here).href;
    return new Worker(new URL('./worker-bootstrap.mjs', here), { workerData: { debug, entry } });
  }
  return new Worker(new URL('./poller-worker.js', here), { workerData: { debug } });
}
