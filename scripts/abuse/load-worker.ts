/**
 * Worker entry: the load. The replaying clients and the sign-in storm run here, on a thread of
 * their own, so their reading and parsing do not run on the server's event loop (nor on the
 * probe's, which would blur its timings).
 */
import { performance } from 'node:perf_hooks';
import { wallNow } from '../fanout/wall-clock.js';
import type { LoadCommand, ReplayReply } from './protocol.js';
import { replayOverSse, replayOverWs, type ReplayClient } from './replay-clients.js';
import { signInStorm } from './sign-in-storm.js';
import { serveRequests } from './worker-rpc.js';

let replays: ReplayClient[] = [];

serveRequests<LoadCommand>(async (command) => {
  switch (command.cmd) {
    case 'replay':
      return replay(command);
    case 'close-replays': {
      for (const r of replays) r.close();
      replays = [];
      return {};
    }
    case 'storm':
      return signInStorm(command);
  }
});

/** Opens every replaying client at once; answers when each has all its events (or gave up), or at the time-out. */
async function replay(command: Extract<LoadCommand, { cmd: 'replay' }>): Promise<ReplayReply> {
  const started = wallNow();
  const elu = performance.eventLoopUtilization();
  const total = command.clients.ws + command.clients.sse;
  let done = 0;
  let allDone = () => {};
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const onDone = () => {
    if (++done === total) allDone();
  };
  const { url, expected } = command;
  // All started in the same turn: none gets a head start.
  const ws = Array.from({ length: command.clients.ws }, () => replayOverWs(url, command.wsToken, expected, onDone));
  const sse = Array.from({ length: command.clients.sse }, () => replayOverSse(url, command.sseToken, expected, onDone));
  replays = [...(await Promise.all(ws)), ...sse];
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, command.timeoutMs)))]);
  clearTimeout(timer);
  return { started, clients: replays.map((r) => r.result()), clientLoopBusy: performance.eventLoopUtilization(elu).utilization };
}
