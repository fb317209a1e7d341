/**
 * The server under test, in this thread, as `npm start` builds it minus the demo plant: a SQLite
 * file (synchronous=FULL) in a temporary folder that stop() removes, a free loopback port, a
 * quiet in-memory log. Besides the admin it creates two viewers whose tokens the replaying
 * clients use: one user may hold 20 streams (MAX_STREAMS_PER_USER), and the probe's 2 plus 20
 * replays would be 22.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { nodeRuntime } from '../../src/runtime/node.js';
import { memoryLogger } from '../../src/log/logger.js';

export const ADMIN = { username: 'admin', password: 'bench-admin-password' };
const READER_PASSWORD = 'bench-reader-password';

export type Api = <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; json: T }>;

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-abuse-'));
  const log = memoryLogger();
  const app = createApp(
    loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE: join(dir, 'alarms.sqlite'),
      DEMO: '0',
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
    }),
    { runtime: nodeRuntime(), log },
  );
  try {
    await app.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = app.url;

  const call = async <T>(token: string | null, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `Bearer ${token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
  };
  const signIn = async (username: string, password: string) => {
    const res = await call<{ access_token: string }>(null, 'POST', '/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.access_token;
  };

  const token = await signIn(ADMIN.username, ADMIN.password);
  const api: Api = (method, path, body) => call(token, method, path, body);
  const reader = async (username: string) => {
    const res = await api('POST', '/api/users', { username, password: READER_PASSWORD, role: 'viewer' });
    if (res.status !== 201) throw new Error(`creating ${username}: ${res.status} ${JSON.stringify(res.json)}`);
    return signIn(username, READER_PASSWORD);
  };
  const readers = { ws: await reader('replay-ws'), sse: await reader('replay-sse') };

  return {
    app,
    url,
    log,
    /** The admin's token. */
    token,
    readers,
    api,
    async stop() {
      try {
        await app.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    /** The temporary folder, for the watchdog's clean-up. */
    dir,
  };
}

export type Server = Awaited<ReturnType<typeof startServer>>;
