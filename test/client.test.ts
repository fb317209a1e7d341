import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  AlarmClient,
  backoffDelay,
  closeAction,
  createSseParser,
  type AlarmClientError,
  type AlarmClientEvents,
  type AlarmClientOptions,
  type JournalEvent,
  type SseEvent,
  type StateChange,
} from '../public/client/alarm-client.js';
import { manualClock } from '../src/kernel/manual-clock.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';
import { freePort } from './helpers/free-port.js';

let apps: TestApp[] = [];
let clients: AlarmClient[] = [];
let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  for (const a of apps) await a.stop();
  for (const fn of cleanups) await fn();
  [apps, clients, cleanups] = [[], [], []];
});

async function start(env: Record<string, string> = {}, options: Parameters<typeof startRestApp>[1] = {}) {
  const t = await startRestApp(env, options);
  apps.push(t);
  return t;
}

/** A client with `ws` as its WebSocket and the minimum backoff, recording what it emits. */
function client(options: AlarmClientOptions) {
  const c = new AlarmClient({ WebSocket, random: () => 0, ...options });
  clients.push(c);
  const seen = { events: [] as JournalEvent[], states: [] as StateChange[], errors: [] as AlarmClientError[], snapshots: 0, syncs: 0 };
  c.on('event', (e) => seen.events.push(e));
  c.on('state', (s) => seen.states.push(s));
  c.on('error', (e) => seen.errors.push(e));
  c.on('snapshot', () => seen.snapshots++);
  c.on('sync_required', () => seen.syncs++);
  return { c, seen };
}

/** The next emission of `name` that matches (only ones after the call). */
function next<K extends keyof AlarmClientEvents>(
  c: AlarmClient,
  name: K,
  pred: (p: AlarmClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<AlarmClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${name}`));
    }, timeoutMs);
    const off = c.on(name, (p) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

const connected = (c: AlarmClient) => next(c, 'state', (s) => s.newState === 'connected');
const note = (n: number) => ({ topic: 'config' as const, type: 'plc_updated', payload: { plc: { id: n } } });
const plcId = (e: JournalEvent) => (e['plc'] as { id: number }).id;
const eventWith = (c: AlarmClient, n: number, timeoutMs?: number) =>
  next(c, 'event', (e) => e.type === 'plc_updated' && plcId(e) === n, timeoutMs);
const notesOf = (events: JournalEvent[]) => events.filter((e) => e.type === 'plc_updated').map(plcId);

/** A reverse proxy that passes HTTP (streaming) but refuses WebSocket upgrades, as some corporate proxies do. */
async function upgradeRefusingProxy(target: string) {
  const { hostname, port } = new URL(target);
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: hostname, port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  let upgrades = 0;
  server.on('upgrade', (_req, socket) => {
    upgrades++;
    socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upgrades: () => upgrades,
    /** Cuts every client connection, as a flaky network would. */
    dropAll: () => server.closeAllConnections(),
  };
}

describe('backoff', () => {
  it('grows exponentially with full jitter, within 0.5 s and 20 s', () => {
    expect(backoffDelay(0, 500, 20_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 500, 20_000, () => 0.999999)).toBe(999);
    expect(backoffDelay(3, 500, 20_000, () => 0.5)).toBe(500 + 2000);
    expect(backoffDelay(6, 500, 20_000, () => 0.999999)).toBe(20_000);
    expect(backoffDelay(1000, 500, 20_000, () => 0.999999)).toBe(20_000);
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(20_000, 500 + 500 * 2 ** attempt);
      for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
        const d = backoffDelay(attempt, 500, 20_000, () => r);
        expect(d).toBeGreaterThanOrEqual(500);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('maps close codes and statuses to what the client does', () => {
    expect(closeAction({ code: 4401 })).toBe('reauth');
    expect(closeAction({ status: 401 })).toBe('reauth');
    expect(closeAction({ code: 4403 })).toBe('stop');
    expect(closeAction({ status: 403 })).toBe('stop');
    for (const code of [1001, 1006, 1011, 4008]) expect(closeAction({ code })).toBe('reconnect');
  });
});

describe('SSE parser', () => {
  it('handles CRLF, CR and LF split anywhere, comments, multi-line data, retry and a kept id', () => {
    const events: SseEvent[] = [];
    const comments: string[] = [];
    const retries: number[] = [];
    const p = createSseParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c), onRetry: (ms) => retries.push(ms) });
    const text =
      'retry: 3000\r\n\r\n: ping\r\nid: 7\r\nevent: welcome\r\ndata: {"a":\r\ndata:1}\r\n\r\nevent: x\rdata: y\r\rdata\n\nid: 8\nignored\n\n: end\n';
    for (const ch of text) p.push(ch); // every chunk boundary, including inside CRLF
    p.end();
    expect(retries).toEqual([3000]);
    expect(comments).toEqual(['ping', 'end']);
    expect(events).toEqual([
      { id: '7', event: 'welcome', data: '{"a":\n1}' },
      { id: '7', event: 'x', data: 'y' },
      { id: '7', event: 'message', data: '' },
    ]);
  });
});

describe('AlarmClient on a shared server', () => {
  // Starting a server and signing in takes a while: tests that need no
  // special server share one. Each client starts from its own snapshot, so earlier events never show.
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startRestApp();
    token = await t.login();
  });
  afterAll(() => t.stop());

  it('connects over WebSocket, starts from a snapshot and delivers each live event once, typed by type', async () => {
    const { c, seen } = client({ baseUrl: t.app.url, getToken: () => token });
    const states: string[] = [];
    c.on('state', (s) => states.push(`${s.oldState}->${s.newState}:${s.transport}`));
    const welcome = next(c, 'welcome');
    const snapshot = next(c, 'snapshot');
    c.connect();
    await connected(c);
    expect((await welcome).user.username).toBe('admin');
    expect(c.transport).toBe('websocket');
    await snapshot;
    expect(seen.snapshots).toBe(1);
    const alarm = next(c, 'alarm_state');
    await t.app.journal.append([note(1), { topic: 'alarms', type: 'alarm_state', rule_id: 5, payload: { rule_id: 5, state: 'ALARM' } }]);
    expect(await alarm).toMatchObject({ type: 'alarm_state', rule_id: 5, state: 'ALARM' });
    expect(notesOf(seen.events)).toEqual([1]);
    expect(c.lastEventId).toBe(seen.events.at(-1)!.id);
    expect(states).toEqual(['disconnected->connecting:null', 'connecting->connected:websocket']);
  });

  it('falls back to SSE within a second when the WebSocket upgrade is refused, and works there', async () => {
    const proxy = await upgradeRefusingProxy(t.app.url);
    const { c, seen } = client({ baseUrl: proxy.url, getToken: () => token, minReconnectDelay: 20 });
    const began = Date.now();
    c.connect();
    const up = await connected(c);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(up.transport).toBe('sse');
    await t.app.journal.append([note(1)]);
    await eventWith(c, 1);

    // Over SSE, ack is the REST call: its error carries the SPEC code.
    await expect(c.ack(999)).rejects.toMatchObject({ code: 'not_found', status: 404 });

    // Over SSE, changing topics reopens the stream with ?topics=, resuming: nothing twice, nothing lost.
    const reopened = connected(c);
    expect(await c.unsubscribe(['config'])).not.toContain('config');
    await reopened;
    expect(c.transport).toBe('sse');
    await t.app.journal.append([note(2)]);
    const back = connected(c);
    await c.subscribe(['config']);
    await back;
    await t.app.journal.append([note(3)]);
    await eventWith(c, 3);
    // 2 happened while config was off; the reopen resumed from 1's id, so its replay brought 2.
    expect(notesOf(seen.events)).toEqual([1, 2, 3]);
    expect(seen.snapshots).toBe(1);
    expect(seen.errors).toEqual([]);

    // Having fallen back, it stays on SSE and probes WebSocket again only on every 5th reconnect.
    expect(proxy.upgrades()).toBe(1);
    for (let i = 1; i <= 5; i++) {
      const again = connected(c);
      proxy.dropAll();
      expect((await again).transport).toBe('sse');
      expect(proxy.upgrades()).toBe(i < 5 ? 1 : 2);
    }
  });

  it('subscribes, unsubscribes and acks over WebSocket', async () => {
    const { c, seen } = client({ baseUrl: t.app.url, getToken: () => token });
    c.connect();
    await connected(c);
    expect(await c.unsubscribe(['config'])).not.toContain('config');
    await t.app.journal.append([note(1), { topic: 'system', type: 'plc_status', payload: { plc_id: 1, connected: false, error: 'x' } }]);
    expect((await next(c, 'plc_status')).plc_id).toBe(1);
    expect(await c.subscribe(['config'], [1])).toContain('config');
    const refused = next(c, 'error');
    await c.ack(999, 'seen');
    expect((await refused).code).toBe('not_found');
    await t.app.journal.append([
      { topic: 'alarms', type: 'alarm_state', rule_id: 2, payload: { rule_id: 2 } },
      { topic: 'alarms', type: 'alarm_state', rule_id: 1, payload: { rule_id: 1 } },
      note(2),
    ]);
    await eventWith(c, 2);
    expect(seen.events.map((e) => e.type)).toEqual(['plc_status', 'alarm_state', 'plc_updated']);
    expect(seen.events[1]).toMatchObject({ rule_id: 1 });
  });

  it('gives up after three refused tokens in a row, and on a missing permission at once', async () => {
    const asked: boolean[] = [];
    const { c, seen } = client({
      baseUrl: t.app.url,
      getToken: ({ refresh }) => (asked.push(refresh), 'not-a-token'),
      minReconnectDelay: 20,
    });
    const gaveUp = next(c, 'error');
    c.connect();
    expect(await gaveUp).toMatchObject({ code: 'unauthenticated', closeCode: 4401 });
    expect(c.state).toBe('disconnected');
    expect(asked).toEqual([false, true, true]);
    expect(seen.states.at(-1)).toMatchObject({ oldState: 'connecting', newState: 'disconnected' });

    const userToken = await t.userWithRole('user', token);
    for (const transports of [['websocket'], ['sse']] as const) {
      const { c: denied } = client({ baseUrl: t.app.url, getToken: () => userToken, alarmsOnly: true, transports: [...transports] });
      const error = next(denied, 'error');
      denied.connect();
      expect(await error).toMatchObject({ code: 'forbidden', ...(transports[0] === 'sse' ? { status: 403 } : { closeCode: 4403 }) });
      expect(denied.state).toBe('disconnected');
    }
  });

  it('opens with one-time tickets when asked to (as in a browser), over WebSocket and SSE', async () => {
    for (const transports of [['websocket'], ['sse']] as const) {
      const { c, seen } = client({ baseUrl: t.app.url, getToken: () => token, useTickets: true, transports: [...transports] });
      c.connect();
      await connected(c);
      expect(c.transport).toBe(transports[0]);
      await t.app.journal.append([note(1)]);
      await eventWith(c, 1);
      const reopened = transports[0] === 'sse' ? connected(c) : undefined;
      expect(await c.unsubscribe(['values'])).not.toContain('values'); // SSE: a reopen, with a new ticket
      await reopened;
      expect(c.state).toBe('connected');
      expect(seen.errors).toEqual([]);
      c.close();
    }
  });
});

describe('AlarmClient on its own server', () => {
  it('resumes across a server restart on the same port with no loss and no duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alarm-client-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = { DATABASE: join(dir, 'alarms.sqlite'), PORT: String(await freePort()) };
    const first = await startRestApp(env);
    const token = await first.login(); // same JWT_SECRET and database: still good after the restart
    const { c, seen } = client({ baseUrl: first.app.url, getToken: () => token, topics: ['config'] });
    c.connect();
    await connected(c);
    await first.app.journal.append([note(1)]);
    await eventWith(c, 1);

    const lost = next(c, 'state', (s) => s.newState === 'connecting');
    const back = connected(c);
    await first.stop();
    expect((await lost).reason).toBe('server stopping');
    const t = await start(env);
    await t.app.journal.append([note(2)]);
    await t.app.journal.append([note(3)]);
    await back;
    await t.app.journal.append([note(4)]);
    await eventWith(c, 4);
    expect(notesOf(seen.events)).toEqual([1, 2, 3, 4]);
    const ids = seen.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(seen.snapshots).toBe(1);
    expect(seen.syncs).toBe(0);
  });

  it('gets a fresh token on 4401 at token expiry and resumes', async () => {
    const clock = manualClock(Date.now());
    const t = await start({ TOKEN_TTL_S: '60' }, { clock });
    const refreshes: boolean[] = [];
    const getToken = ({ refresh }: { refresh: boolean }) => (refreshes.push(refresh), t.login());
    const { c, seen } = client({ baseUrl: t.app.url, getToken });
    c.connect();
    await connected(c);
    await t.app.journal.append([note(1)]);
    await eventWith(c, 1);
    const lost = next(c, 'state', (s) => s.newState === 'connecting');
    const back = next(c, 'state', (s) => s.newState === 'connected');
    clock.advance(60_000);
    expect((await lost).reason).toBe('token expired');
    await t.app.journal.append([note(2)]); // while away or after: either way exactly once
    await back;
    await t.app.journal.append([note(3)]);
    await eventWith(c, 3);
    expect(refreshes).toEqual([false, true]);
    expect(notesOf(seen.events)).toEqual([1, 2, 3]);
    expect(seen.errors).toEqual([]);
  });

  it('drops a transport silent for 2.5 heartbeats and resumes without loss', async () => {
    // Server and client on one manual clock: the silence is measured, not waited for.
    const clock = manualClock(Date.now());
    const t = await start({ HEARTBEAT_MS: '1000' }, { clock });
    const token = await t.login();
    const sockets: TappedWebSocket[] = [];
    // A socket whose link can go quiet: nothing it receives reaches the client any more.
    class TappedWebSocket extends WebSocket {
      quiet = false;
      constructor(url: string) {
        super(url);
        sockets.push(this);
        let handler: ((e: WebSocket.MessageEvent) => void) | null = null;
        Object.defineProperty(this, 'onmessage', { get: () => handler, set: (h: typeof handler) => void (handler = h) });
        this.addEventListener('message', (e) => void (this.quiet || handler?.(e)));
      }
    }
    const timers = {
      now: () => clock.now(),
      setTimeout: (fn: () => void, ms: number) => clock.setTimer(clock.now() + ms, fn),
      clearTimeout: (handle: unknown) => clock.clearTimer(handle),
    };
    const { c, seen } = client({ baseUrl: t.app.url, getToken: () => token, WebSocket: TappedWebSocket, timers });
    const snapshot = next(c, 'snapshot');
    c.connect();
    await snapshot;
    sockets[0]!.quiet = true; // the link goes quiet
    const lost = next(c, 'state', (s) => s.newState === 'connecting');
    const resumed = eventWith(c, 1);
    await t.app.journal.append([note(1)]);
    clock.advance(2499);
    expect(c.state).toBe('connected'); // two heartbeats and a half not yet silent
    clock.advance(1);
    expect((await lost).reason).toBe('heartbeat timeout');
    clock.advance(500); // the reconnect, after the shortest backoff (random is 0)
    await resumed;
    expect(notesOf(seen.events)).toEqual([1]);
    expect(sockets).toHaveLength(2);
  });

  it('close() closes the stream and stops reconnecting', async () => {
    const t = await start();
    const token = await t.login();
    let asked = 0;
    // The client's own timers, so the test can run every pending one instead of waiting.
    const pending = new Map<number, () => void>();
    let nextTimer = 0;
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        const id = ++nextTimer;
        pending.set(id, fn);
        setTimeout(() => {
          const fn = pending.get(id);
          pending.delete(id);
          fn?.();
        }, ms).unref();
        return id;
      },
      clearTimeout: (id: unknown) => void pending.delete(id as number),
    };
    const { c } = client({ baseUrl: t.app.url, getToken: () => (asked++, token), minReconnectDelay: 20, maxReconnectDelay: 50, timers });
    c.connect();
    await connected(c);
    c.close();
    expect(c.state).toBe('disconnected');
    expect(c.transport).toBe(null);
    await vi.waitFor(() => expect(t.app.hub.connections().size).toBe(0));

    c.connect();
    await connected(c);
    const lost = next(c, 'state', (s) => s.newState === 'connecting');
    await t.stop();
    await lost; // now between attempts against a server that is gone
    c.close();
    const askedAtClose = asked;
    expect(pending.size).toBe(0); // no reconnect (or watchdog) is left to fire
    // A turn of the event loop later (any socket callback of the dead attempt has run): no new ask.
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(askedAtClose);
    expect(c.state).toBe('disconnected');
    expect(c.transport).toBe(null);
  });
});
