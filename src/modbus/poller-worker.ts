/** worker_threads entry of the poller: wires the host to the real port, sockets and clock. */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import * as v from 'valibot';
import { systemClock } from '../kernel/clock.js';
import { createHostResolver, resolvingConnect, systemLookup } from './host-resolver.js';
import { connectPlc } from './plc-connection.js';
import { createWorkerHost } from './worker-host.js';

const port = parentPort;
if (port === null) throw new Error('poller-worker.ts must run in a worker thread');
const clock = systemClock();
const data = v.parse(v.object({ debug: v.optional(v.boolean(), false) }), workerData ?? {});

const host = createWorkerHost({
  post: (message, transfer) => port.postMessage(message, transfer ?? []),
  // One resolver for the worker's life: its cache outlives any one PLC's reconnects.
  connect: resolvingConnect(connectPlc, createHostResolver({ lookup: systemLookup, clock })),
  clock,
  monotonic: () => performance.now(),
  random: Math.random,
  elu: () => {
    const { active, idle } = performance.eventLoopUtilization();
    return { active, idle };
  },
  debug: data.debug,
  // Closing the port lets the thread exit by itself once the sockets are gone.
  stopped: () => port.close(),
});

port.on('message', (message: unknown) => host.handle(message));
