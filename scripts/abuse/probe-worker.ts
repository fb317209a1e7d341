/**
 * Worker entry: the probe. Its thread does nothing but these two streams and /healthz, so the
 * times it takes are the server's, not those of a client loop busy reading replays.
 */
import { Agent, get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { wallNow } from '../fanout/wall-clock.js';
import { openSseProbe, openWsProbe, type ProbeStream } from './probe-streams.js';
import type { Delivery, HealthSample, ProbeCommand, ProbeSamples } from './protocol.js';
import { serveRequests } from './worker-rpc.js';

const HEALTH_EVERY_MS = 20;
const HEALTH_TIMEOUT_MS = 5_000;

const deliveries: Delivery[] = [];
const health: HealthSample[] = [];
const unexpectedCloses: string[] = [];
let streams: ProbeStream[] = [];
let polling = false;

serveRequests<ProbeCommand>(async (command) => {
  switch (command.cmd) {
    case 'start': {
      const record = (d: Delivery) => void deliveries.push(d);
      const lost = (why: string) => void unexpectedCloses.push(`${new Date().toISOString()} ${why}`);
      streams = await Promise.all([
        openWsProbe(command.url, command.token, record, lost),
        openSseProbe(command.url, command.token, record, lost),
      ]);
      polling = true;
      void pollHealth(command.url);
      return {};
    }
    case 'samples':
      return { deliveries, health, unexpectedCloses } satisfies ProbeSamples;
    case 'stop':
      polling = false;
      for (const s of streams) s.close();
      return {};
  }
});

/** One request at a time on one kept-alive socket, started every 20 ms (at once after a slow one). */
async function pollHealth(url: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  while (polling) {
    const at = wallNow();
    const status = await healthz(`${url}/healthz`, agent);
    health.push({ at, ms: wallNow() - at, status });
    const wait = at + HEALTH_EVERY_MS - wallNow();
    if (wait > 0) await sleep(wait);
  }
  agent.destroy();
}

/** The status once the whole answer has arrived; 0 when it failed or took over 5 s. */
function healthz(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(HEALTH_TIMEOUT_MS, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
