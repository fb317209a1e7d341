import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { wsClient, openedClients } from './helpers/stream-clients.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// SPEC 10 and the lesser findings of the hardening issue: spoofed names, origins, cookies, idle sockets.
let t: TestApp | undefined;
const opened = openedClients();
afterEach(async () => {
  opened.closeAll();
  await t?.stop();
  t = undefined;
});

describe('usernames', () => {
  it.each([
    ['an invisible character', 'admin\u200b'],
    ['a Cyrillic a among Latin letters', '\u0430dmin'],
    ['a space', 'ad min'],
    ['a right-to-left override', 'adm\u202ein'],
  ])('refuses a name with %s', async (_what, username) => {
    t = await startRestApp();
    const admin = await t.login();
    const res = await t.call('POST', '/api/users', { token: admin, body: { username, password: 'password-123', role: 'operator' } });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].path).toBe('username');
  });

  it('stores names in NFKC form and takes other scripts when they are not mixed', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const fullWidth = await t.call('POST', '/api/users', {
      token: admin,
      body: { username: 'ｏｌｇａ', password: 'password-123', role: 'viewer' },
    });
    expect(fullWidth.json.username).toBe('olga');
    const cyrillic = await t.call('POST', '/api/users', {
      token: admin,
      body: { username: 'ольга', password: 'password-123', role: 'viewer' },
    });
    expect(cyrillic.status).toBe(201);
    expect((await t.call('POST', '/api/auth/login', { body: { username: 'ｏｌｇａ', password: 'password-123' } })).status).toBe(200);
  });
});

describe('stream origins', () => {
  const sse = (headers: Record<string, string>) => t!.call('GET', '/sse', { headers });

  it('takes its own origin, by scheme and loopback host, and refuses a rebound or downgraded one', async () => {
    t = await startRestApp();
    // No credentials: a passed origin check shows as 401, a refused one as 403.
    expect((await sse({ host: 'localhost:8080', origin: 'http://localhost:8080' })).status).toBe(401);
    expect((await sse({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })).status).toBe(401);
    // DNS rebinding: the page's own name in both Origin and Host.
    expect((await sse({ host: 'evil.example:8080', origin: 'http://evil.example:8080' })).status).toBe(403);
    // Same host, other scheme.
    expect((await sse({ host: 'localhost:8080', origin: 'https://localhost:8080' })).status).toBe(403);
    // Behind a TLS proxy the scheme is the proxy's.
    expect((await sse({ host: 'localhost:8080', origin: 'https://localhost:8080', 'x-forwarded-proto': 'https' })).status).toBe(401);
  });

  it('takes the listed ALLOWED_ORIGINS and any host when bound beyond loopback', async () => {
    t = await startRestApp({ ALLOWED_ORIGINS: 'https://scada.example.com' });
    expect((await sse({ host: 'alarms.internal', origin: 'https://scada.example.com' })).status).toBe(401);
    expect((await sse({ host: 'alarms.internal', origin: 'https://other.example.com' })).status).toBe(403);
  });
});

describe('session cookie', () => {
  it('is Secure when the browser came over https, through a TLS proxy too', async () => {
    t = await startRestApp();
    const body = { username: 'admin', password: 'admin-password-1' };
    const plain = await t.call('POST', '/api/auth/login', { body });
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    const proxied = await t.call('POST', '/api/auth/login', { body, headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure/);
  });
});

describe('sockets that have not signed in', () => {
  it('get no heartbeats or pings while they have yet to authenticate', async () => {
    // The manual clock drives the heartbeats, and holds the 5 s auth deadline off meanwhile.
    const clock = manualClock(Date.now());
    t = await startRestApp({ HEARTBEAT_MS: '1000' }, { clock });
    const token = await t.login();
    const base = t.app.url.replace(/^http/, 'ws');
    const idle = wsClient(`${base}/ws`);
    opened.ws.push(idle);
    let pings = 0;
    idle.ws.on('ping', () => (pings += 1));
    await new Promise((resolve) => idle.ws.once('open', resolve)); // its session is there by now
    const signedIn = wsClient(`${base}/ws`, { headers: { authorization: `Bearer ${token}` } });
    opened.ws.push(signedIn);
    await signedIn.next('snapshot');
    const heartbeats = () => signedIn.inbox.all.filter((m) => m.type === 'heartbeat').length;
    clock.advance(1000);
    await signedIn.next('heartbeat');
    clock.advance(1000);
    await signedIn.inbox.next(() => heartbeats() === 2, 'a second heartbeat');
    expect(idle.inbox.all).toEqual([]);
    expect(pings).toBe(0);
  });
});
