import { createApp, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { memoryLogger } from '../../src/log/logger.js';
import { currentRuntime } from '../../src/runtime/current.js';
import { fakePoller } from './fake-poller.js';
import { checkAnswer, type ApiDocument } from './openapi-check.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };
export const JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long';

/** The runtime the suite runs on: Bun when vitest itself runs under Bun (npm test runs both). */
export const testRuntime = currentRuntime;

/** Config for a test server: in-memory database, free port, no demo plant. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE: ':memory:',
    DEMO: '0',
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET,
    ...overrides,
  });
}

export type Json = any;

/**
 * scrypt at a cost a test can afford: the suites sign in hundreds of times, and at the server's
 * own cost (SCRYPT_PARAMS) that was most of their time. sign-in-storm.test.ts uses the real one.
 */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

/** The API reference of the app, read once: every app of a run serves the same one. */
let apiDocument: Promise<ApiDocument> | undefined;

/** A started app plus small helpers that speak the API the way a client does. */
export async function startTestApp(env: Record<string, string> = {}, options: Partial<AppOptions> = {}) {
  const log = memoryLogger();
  const app = createApp(testConfig(env), { runtime: await testRuntime(), log, scrypt: TEST_SCRYPT, ...options });
  await app.start();

  apiDocument ??= Promise.resolve(app.request('/openapi.json')).then((res) => res.json() as Promise<ApiDocument>);

  /**
   * Calls the API through the app (no socket); `body` objects are sent as JSON. Every answer is
   * checked against /openapi.json: a status, media type or body it does not document fails the test.
   */
  async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined && { body }) });
    const text = await res.text();
    checkAnswer(await apiDocument!, { method, path }, { status: res.status, contentType: res.headers.get('content-type'), text });
    const json: Json = text ? JSON.parse(text) : undefined;
    return { status: res.status, headers: res.headers, json };
  }

  async function login(username = ADMIN.username, password = ADMIN.password): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.access_token as string;
  }

  /** Creates a user with a role and returns a token for them. */
  async function userWithRole(role: string, adminToken: string): Promise<string> {
    const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
    const res = await call('POST', '/api/users', { token: adminToken, body: { username, password: 'password-123', role } });
    if (res.status !== 201) throw new Error(`create user failed: ${JSON.stringify(res.json)}`);
    return login(username, 'password-123');
  }

  return { app, log, call, login, userWithRole, stop: () => app.stop() };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/**
 * An app for tests of the REST API and the streams alone: no poller worker thread (a stand-in
 * takes its place), so it starts in half the time. Anything about Modbus needs startTestApp.
 */
export function startRestApp(env: Record<string, string> = {}, options: Partial<AppOptions> = {}): Promise<TestApp> {
  return startTestApp(env, { poller: fakePoller(options.clock?.now.bind(options.clock) ?? Date.now).create, ...options });
}
