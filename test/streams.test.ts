import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { sseClient, wsClient, type WsClient } from './helpers/stream-clients.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let clients: WsClient[] = [];
afterEach(async () => {
  for (const c of clients) c.ws.terminate();
  clients = [];
  await t.stop();
});

const wsUrl = (path: string) => t.app.url.replace(/^http/, 'ws') + path;
const ws = (path: string, opts = {}) => {
  const c = wsClient(wsUrl(path), opts);
  clients.push(c);
  return c;
};

async function makePlc(token: string, name: string) {
  return (await t.call('POST', '/api/plcs', { token, body: { name, host: 'h' } })).json;
}

describe('WebSocket', () => {
  it('authenticates by header, sends welcome and a snapshot, then live events', async () => {
    t = await startRestApp();
    const token = await t.login();
    await makePlc(token, 'before');
    const c = ws('/ws', { headers: { authorization: `Bearer ${token}` } });
    const welcome = await c.next('welcome');
    expect(welcome).toMatchObject({
      user: { username: 'admin' },
      topics: expect.arrayContaining(['alarms', 'config', 'items']),
      heartbeat_ms: 30000,
    });
    const snapshot = await c.next('snapshot');
    expect(snapshot).toMatchObject({ last_event_id: expect.any(Number), active: [] });
    await makePlc(token, 'after');
    const live = await c.next('plc_created');
    expect(live).toMatchObject({ topic: 'config', plc: { name: 'after' } });
    expect(live.id).toBeGreaterThan(snapshot.last_event_id);
    expect(c.inbox.all.map((m) => m.type).slice(0, 2)).toEqual(['welcome', 'snapshot']);
  });

  it('authenticates by ticket, used once', async () => {
    t = await startRestApp();
    const token = await t.login();
    const { ticket } = (await t.call('POST', '/api/auth/ticket', { token })).json;
    const first = ws(`/ws?ticket=${ticket}`);
    expect((await first.next('welcome')).user).toMatchObject({ username: 'admin' });
    expect((await first.next('snapshot')).last_event_id).toEqual(expect.any(Number));
    const second = ws(`/ws?ticket=${ticket}`);
    expect((await second.closed).code).toBe(4401);
    expect(second.inbox.all).toEqual([]);
  });

  it('authenticates by a first message and resumes from last_event_id', async () => {
    t = await startRestApp();
    const token = await t.login();
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) {
      await makePlc(token, name);
      const history = (await t.call('GET', '/api/alarms/history?limit=1000', { token })).json.events;
      ids.push(history.filter((e: { type: string }) => e.type === 'plc_created').at(-1).id);
    }
    const c = ws('/ws?topics=config');
    c.send({ type: 'auth', access_token: token, last_event_id: ids[0], topics: ['config'] });
    const replayed = await c.next('plc_created', (m) => m.id === ids[2]);
    expect(replayed.plc.name).toBe('c');
    expect(c.inbox.all.map((m) => m.id ?? m.type)).toEqual(['welcome', ids[1], ids[2]]);
  });

  it('sends sync_required and a snapshot for a last_event_id from the future', async () => {
    t = await startRestApp();
    const token = await t.login();
    const c = ws('/ws');
    c.send({ type: 'auth', access_token: token, last_event_id: 99 });
    expect(await c.next('sync_required')).toEqual({ type: 'sync_required', reason: expect.any(String) });
    expect((await c.next('snapshot')).last_event_id).toBe(1); // the sign-in (SPEC 13)
    expect(c.inbox.all.map((m) => m.type)).toEqual(['welcome', 'sync_required', 'snapshot']);
  });

  it('closes 4401 for a bad token, and for no auth within 5 s', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({}, { clock });
    const bad = ws('/ws', { headers: { authorization: 'Bearer nope' } });
    expect((await bad.closed).code).toBe(4401);
    const viaMessage = ws('/ws');
    viaMessage.send({ type: 'auth', access_token: 'nope' });
    expect((await viaMessage.closed).code).toBe(4401);
    const silent = ws('/ws');
    silent.send({ type: 'ping', id: 1 }); // answered (not signed in yet) once the session is there
    expect(await silent.next('error')).toMatchObject({ code: 'bad_message' });
    clock.advance(4999);
    silent.send({ type: 'ping', id: 2 });
    await silent.inbox.next((m) => m.type === 'error' && silent.inbox.all.length === 2, 'a second error');
    clock.advance(1);
    expect((await silent.closed).code).toBe(4401);
    expect(silent.inbox.all.map((m) => m.type)).toEqual(['error', 'error']);
  });

  it('closes 4403 on /ws/alarms without alarms:read', async () => {
    t = await startRestApp();
    const token = await t.userWithRole('user', await t.login());
    const c = ws('/ws/alarms', { headers: { authorization: `Bearer ${token}` } });
    expect((await c.closed).code).toBe(4403);
    const plain = ws('/ws', { headers: { authorization: `Bearer ${token}` } });
    expect((await plain.next('welcome')).topics).toEqual(['items']);
  });

  it('answers ping, subscribe and bad messages, and keeps the connection', async () => {
    t = await startRestApp();
    const token = await t.login();
    const c = ws('/ws', { headers: { authorization: `Bearer ${token}` } });
    await c.next('snapshot');
    c.send({ type: 'ping', id: 7 });
    expect(await c.next('pong')).toMatchObject({ id: 7, ts: expect.any(String) });
    c.send('not json');
    c.send({ type: 'launch' });
    c.send({ type: 'subscribe', topics: ['bogus'] });
    await c.inbox.next((m) => m.type === 'error' && c.inbox.all.filter((x) => x.type === 'error').length === 3, '3 errors');
    expect(c.inbox.all.filter((m) => m.type === 'error').every((m) => m.code === 'bad_message')).toBe(true);
    c.send({ type: 'unsubscribe', topics: ['config'] });
    expect((await c.next('unsubscribed')).topics).not.toContain('config');
    await makePlc(token, 'unseen');
    c.send({ type: 'ping', id: 'after' });
    await c.next('pong', (m) => m.id === 'after');
    expect(c.inbox.all.some((m) => m.type === 'plc_created')).toBe(false);
    c.send({ type: 'subscribe', topics: ['config'] });
    expect((await c.next('subscribed')).topics).toContain('config');
    await makePlc(token, 'seen');
    expect((await c.next('plc_created')).plc).toMatchObject({ name: 'seen' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('closes 1009 for a frame over 64 KiB and 1008 for a flood', async () => {
    t = await startRestApp();
    const token = await t.login();
    const big = ws('/ws', { headers: { authorization: `Bearer ${token}` } });
    await big.next('welcome');
    big.send({ type: 'ping', id: 'x'.repeat(70 * 1024) });
    expect((await big.closed).code).toBe(1009);
    const flood = ws('/ws', { headers: { authorization: `Bearer ${token}` } });
    await flood.next('snapshot');
    for (let i = 0; i < 500; i++) flood.send({ type: 'ping' });
    expect((await flood.closed).code).toBe(1008);
  });

  it('refuses a cross-site Origin that is not allowed', async () => {
    t = await startRestApp({ ALLOWED_ORIGINS: 'https://hmi.example' });
    const token = await t.login();
    const evil = ws('/ws', { headers: { authorization: `Bearer ${token}` }, origin: 'https://evil.example' });
    expect((await evil.closed).code).toBe(1006); // refused before the upgrade: no WebSocket close code
    expect(evil.inbox.all).toEqual([]);
    const refused = await t.call('GET', '/ws', { token, headers: { origin: 'https://evil.example', upgrade: 'websocket' } });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    const good = ws('/ws', { headers: { authorization: `Bearer ${token}` }, origin: 'https://hmi.example' });
    expect((await good.next('welcome')).user).toMatchObject({ username: 'admin' });
  });

  it('closes every stream with 1001 when the server stops', async () => {
    t = await startRestApp();
    const c = ws('/ws', { headers: { authorization: `Bearer ${await t.login()}` } });
    await c.next('snapshot');
    await t.stop();
    expect((await c.closed).code).toBe(1001);
  });
});

describe('SSE', () => {
  it('streams the same events with the same ids as WebSocket, with the SPEC headers', async () => {
    t = await startRestApp();
    const token = await t.login();
    const auth = { authorization: `Bearer ${token}` };
    const s = await sseClient(`${t.app.url}/sse`, auth);
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(s.response.headers.get('x-accel-buffering')).toBe('no');
    const c = ws('/ws', { headers: auth });
    await Promise.all([s.next('snapshot'), c.next('snapshot')]);
    await makePlc(token, 'p');
    const [viaSse, viaWs] = await Promise.all([s.next('plc_created'), c.next('plc_created')]);
    expect(viaSse.id).toBe(String(viaWs.id));
    expect(viaSse.data).toEqual(viaWs);
    expect(s.retry).toBe(3000);
    s.close();
  });

  it('resumes from Last-Event-ID', async () => {
    t = await startRestApp();
    const token = await t.login();
    for (const name of ['a', 'b', 'c']) await makePlc(token, name);
    const created = (await t.call('GET', '/api/alarms/history?limit=1000', { token })).json.events.filter(
      (e: { type: string }) => e.type === 'plc_created',
    );
    const s = await sseClient(`${t.app.url}/sse?topics=config`, {
      authorization: `Bearer ${token}`,
      'last-event-id': String(created[1].id),
    });
    const m = await s.next('plc_created');
    expect(m).toMatchObject({ id: String(created[2].id), data: { plc: { name: 'c' } } });
    // Only what came after Last-Event-ID, with no snapshot in between.
    expect(s.inbox.all.map((e) => [e.event, e.id])).toEqual([
      ['welcome', undefined],
      ['plc_created', String(created[2].id)],
    ]);
    s.close();
  });

  it('accepts the session cookie, and answers 401/403 JSON before any stream byte', async () => {
    t = await startRestApp();
    const login = await t.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-password-1' } });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const s = await sseClient(`${t.app.url}/sse`, { cookie });
    expect(s.response.status).toBe(200);
    expect((await s.next('welcome')).data.user).toMatchObject({ username: 'admin' });
    expect((await s.next('snapshot')).data).toMatchObject({ last_event_id: expect.any(Number) });
    s.close();
    const none = await fetch(`${t.app.url}/sse`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await none.json()) as any).error.code).toBe('unauthenticated');
    const userToken = await t.userWithRole('user', login.json.access_token);
    const forbidden = await fetch(`${t.app.url}/sse/alarms`, { headers: { authorization: `Bearer ${userToken}` } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as any).error.code).toBe('forbidden');
  });

  it('streams through a web ReadableStream where there is no Node response (app.request, Bun)', async () => {
    t = await startRestApp();
    const token = await t.login();
    const app = t.app;
    const s = await sseClient('/sse?topics=config', { authorization: `Bearer ${token}` }, (url, init) => app.request(url, init));
    expect(s.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.response.headers.get('x-accel-buffering')).toBe('no');
    await s.next('snapshot');
    await makePlc(token, 'p');
    expect((await s.next('plc_created')).data).toMatchObject({ plc: { name: 'p' } });
    expect(s.retry).toBe(3000);
    expect(app.hub.connections().size).toBe(1);
    s.close();
    await vi.waitFor(() => expect(app.hub.connections().size).toBe(0));
  });

  it('sends a ping comment every half heartbeat', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ HEARTBEAT_MS: '1000' }, { clock });
    const token = await t.login();
    const s = await sseClient(`${t.app.url}/sse?topics=config`, { authorization: `Bearer ${token}` });
    await s.next('snapshot');
    const pings = () => s.comments.filter((c) => c === ': ping').length;
    /** An event journaled now: the stream has sent everything before it once it arrives. */
    const settled = async (name: string) => {
      await makePlc(token, name);
      await s.next('plc_created', (m) => m.data.plc.name === name);
    };
    clock.advance(499);
    await settled('a');
    expect(pings()).toBe(0);
    clock.advance(1);
    await s.next('comment', (m) => m.data.type === ': ping');
    clock.advance(500);
    await settled('b');
    expect(pings()).toBe(2);
    expect(s.inbox.all.map((m) => m.event)).toEqual(['welcome', 'snapshot', 'plc_created', 'comment', 'comment', 'plc_created']);
    s.close();
  });
});

describe('journal retention', () => {
  it('prunes hourly on the clock: a resume from an event over 90 days old gets sync_required', async () => {
    const HOUR = 3_600_000;
    const dir = mkdtempSync(join(tmpdir(), 'retention-'));
    const env = { DATABASE: join(dir, 'alarms.sqlite'), HEARTBEAT_MS: String(HOUR), TOKEN_TTL_S: String(2 * 3600) };
    const start = Date.parse('2026-01-05T08:00:00.000Z');
    try {
      t = await startRestApp(env, { clock: manualClock(start) });
      await makePlc(await t.login(), 'old'); // events 1 (the sign-in) and 2
      await t.stop();

      // Back 90 days less half an hour later: still kept at start, pruned by the run an hour on.
      const clock = manualClock(start + 90 * 24 * HOUR - HOUR / 2);
      t = await startRestApp(env, { clock });
      const token = await t.login(); // event 3
      const resume = () => {
        const c = ws('/ws?topics=config');
        c.send({ type: 'auth', access_token: token, last_event_id: 1, topics: ['config'] });
        return c;
      };
      expect((await resume().next('plc_created')).plc.name).toBe('old');
      const { log } = t;
      expect(log.lines.filter((l) => l.includes('journal: pruned'))).toEqual([]);

      clock.advance(HOUR);
      const cutoff = new Date(start + HOUR / 2).toISOString();
      await vi.waitFor(() => expect(log.lines).toContain(`info: journal: pruned 2 events older than ${cutoff}`));
      const late = resume();
      expect((await late.next('sync_required')).reason).toMatch(/no longer kept/);
      expect((await late.next('snapshot')).last_event_id).toBe(3);
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
