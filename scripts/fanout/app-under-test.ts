import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { JournalEvent } from '../../src/db/events.js';
import { memoryLogger } from '../../src/log/logger.js';
import { wallNow } from './wall-clock.js';

const ADMIN = { username: 'admin', password: 'bench-admin-password' };

/**
 * The real server as `npm start` builds it, minus the demo plant: in-memory SQLite, a free
 * port, a quiet logger. Heartbeats are set to 2 minutes so that none lands inside a measured
 * run (the default 30 s would tick several times during the bench).
 */
export async function startAppUnderTest() {
  const log = memoryLogger();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE: ':memory:',
    DEMO: '0',
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
    HEARTBEAT_MS: '120000',
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

  return { app, log, token, timing: timeHubPublish(app) };
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
  app.journal.subscribe((events) => void committedAt.set(batchOf(events), wallNow()));
  app.journal.subscribe(publish);
  app.journal.subscribe((events) => void fannedOutAt.set(batchOf(events), wallNow()));

  return {
    /** When batch `batch` of run `run` was committed and when the hub had fanned it out. */
    of: (run: number, batch: number) => ({ committedAt: committedAt.get(`${run}:${batch}`) ?? NaN, fannedOutAt: fannedOutAt.get(`${run}:${batch}`) ?? NaN }),
  };
}

export type AppUnderTest = Awaited<ReturnType<typeof startAppUnderTest>>;
