import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { ADMIN, JWT_SECRET, startRestApp, type TestApp } from './helpers/test-app.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const key = new TextEncoder().encode(JWT_SECRET);
const nowS = () => Math.floor(Date.now() / 1000);

let t: TestApp;
afterEach(() => t?.stop());

describe('login', () => {
  it('issues a bearer token with the user and permissions, and a session cookie', async () => {
    t = await startRestApp();
    const res = await t.call('POST', '/api/auth/login', { body: ADMIN });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      user: { username: 'admin', role: 'admin', permissions: ['alarms:*', 'users:admin'] },
    });
    expect(res.json.access_token.split('.')).toHaveLength(3);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('answers 401 for a wrong password and for an unknown user alike', async () => {
    t = await startRestApp();
    for (const body of [
      { username: 'admin', password: 'wrong-password' },
      { username: 'nobody', password: 'x' },
    ]) {
      const res = await t.call('POST', '/api/auth/login', { body });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthenticated');
    }
  });

  it('rate limits failures per username without locking out other accounts', async () => {
    t = await startRestApp({}, { loginLimits: { windowMs: 60_000, perUsername: 3, perAddress: 6 } });
    const admin = await t.login();
    await t.call('POST', '/api/users', { token: admin, body: { username: 'bob', password: 'bob-password', role: 'viewer' } });
    for (let i = 0; i < 3; i++) {
      expect((await t.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'guess' } })).status).toBe(401);
    }
    const limited = await t.call('POST', '/api/auth/login', { body: ADMIN });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address still signs in.
    expect((await t.call('POST', '/api/auth/login', { body: { username: 'bob', password: 'bob-password' } })).status).toBe(200);
  });

  it('rate limits failures per client address across usernames', async () => {
    t = await startRestApp({}, { loginLimits: { windowMs: 60_000, perUsername: 10, perAddress: 3 } });
    for (const username of ['a', 'b', 'c']) {
      await t.call('POST', '/api/auth/login', { body: { username, password: 'guess' } });
    }
    expect((await t.call('POST', '/api/auth/login', { body: { username: 'd', password: 'guess' } })).status).toBe(429);
  });

  it('lets the limit lapse when its window has passed', async () => {
    t = await startRestApp({}, { loginLimits: { windowMs: 60_000, perUsername: 1, perAddress: 10 } });
    await t.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'guess' } });
    expect((await t.call('POST', '/api/auth/login', { body: ADMIN })).status).toBe(429);
    // rate-limiter-flexible keeps its windows by Date.now(): move that clock past the window.
    vi.setSystemTime(Date.now() + 60_000);
    try {
      expect((await t.call('POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects malformed login bodies with 400', async () => {
    t = await startRestApp();
    const res = await t.call('POST', '/api/auth/login', { body: { username: 'admin' } });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
  });
});

describe('bearer tokens', () => {
  const forged: Record<string, () => Promise<string>> = {
    'alg none': async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '1', perms: ['alarms:*'], iat: nowS(), exp: nowS() + 60 })}.`,
    'another key': () =>
      new SignJWT({ perms: ['alarms:*'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('1')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('some-other-secret-of-32-bytes-or-more!')),
    'no exp': () => new SignJWT({ perms: ['alarms:*'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('1').setIssuedAt().sign(key),
    'HS512 with our key': () =>
      new SignJWT({ perms: ['alarms:*'] })
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject('1')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key),
    'unknown user': () =>
      new SignJWT({ perms: ['alarms:*'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('999')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key),
    garbage: async () => 'not.a.jwt',
  };

  for (const [name, make] of Object.entries(forged)) {
    it(`refuses a token with ${name}`, async () => {
      t = await startRestApp();
      const res = await t.call('GET', '/api/plcs', { token: await make() });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthenticated');
    });
  }

  it('accepts a token until it expires, then refuses it', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ TOKEN_TTL_S: '60' }, { clock });
    const token = await t.login();
    expect((await t.call('GET', '/api/plcs', { token })).status).toBe(200);
    clock.advance(66_000); // past exp plus the 5 s clock tolerance
    expect((await t.call('GET', '/api/plcs', { token })).status).toBe(401);
  });

  it('never accepts the session cookie on REST', async () => {
    t = await startRestApp();
    const login = await t.call('POST', '/api/auth/login', { body: ADMIN });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await t.call('GET', '/api/plcs', { headers: { cookie } })).status).toBe(401);
  });

  it('stops working at once when the user is deleted', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const viewer = await t.userWithRole('viewer', admin);
    const me = await t.call('GET', '/api/auth/me', { token: viewer });
    await t.call('DELETE', `/api/users/${me.json.id}`, { token: admin });
    expect((await t.call('GET', '/api/plcs', { token: viewer })).status).toBe(401);
  });
});

describe('stream tickets', () => {
  it('issues a one-time ticket valid for 30 s to a signed-in user', async () => {
    t = await startRestApp();
    expect((await t.call('POST', '/api/auth/ticket')).status).toBe(401);
    const res = await t.call('POST', '/api/auth/ticket', { token: await t.login() });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ticket: expect.any(String), expires_in: 30 });
  });
});

describe('permissions', () => {
  const plc = { name: 'P1', host: '127.0.0.1' };
  const cases: [role: string, path: string, method: string, status: number][] = [
    ['viewer', '/api/plcs', 'GET', 200],
    ['viewer', '/api/plcs', 'POST', 403],
    ['operator', '/api/plcs', 'POST', 403],
    ['operator', '/api/alarms/history', 'GET', 200],
    ['user', '/api/plcs', 'GET', 403],
    ['user', '/api/alarms/history', 'GET', 403],
    ['viewer', '/api/users', 'GET', 403],
    ['operator', '/api/users', 'GET', 403],
    ['admin', '/api/users', 'GET', 200],
    ['admin', '/api/plcs', 'POST', 201],
  ];
  it.each(cases)('%s: %s %s -> %i', async (role, path, method, status) => {
    t = await startRestApp();
    const admin = await t.login();
    const token = role === 'admin' ? admin : await t.userWithRole(role, admin);
    const res = await t.call(method, path, { token, ...(method === 'POST' && { body: plc }) });
    expect(res.status).toBe(status);
    if (status === 403) expect(res.json.error.code).toBe('forbidden');
  });
});
