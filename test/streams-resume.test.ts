import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { sseClient, wsClient, type WsClient } from './helpers/stream-clients.js';
import { pausableWsClient } from './helpers/pausable-ws.js';
import { journalRange } from '../src/journal/events.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';
import { until } from './helpers/until.js';

let t: TestApp | undefined;
let clients: WsClient[] = [];
afterEach(async () => {
  for (const c of clients) c.ws.terminate();
  clients = [];
  await t?.stop();
  t = undefined;
});

const open = (app: TestApp, token: string, path = '/ws') => {
  const c = wsClient(app.app.url.replace(/^http/, 'ws') + path, { headers: { authorization: `Bearer ${token}` } });
  clients.push(c);
  return c;
};

const heartbeats = (c: WsClient) => c.inbox.all.filter((m) => m.type === 'heartbeat').length;

const bigEvent = (i: number) => ({ topic: 'config' as const, type: 'plc_updated', payload: { plc: { id: i, note: 'x'.repeat(100_000) } } });

describe('slow consumers', () => {
  it('closes a client that stops reading with 4008, keeps the others, and the slow one resumes losslessly', {
    timeout: 60_000,
  }, async () => {
    t = await startRestApp();
    const token = await t.login();
    const slow = pausableWsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`, { authorization: `Bearer ${token}` });
    clients.push(slow);
    const healthy = open(t, token);
    const [snapshot] = await Promise.all([slow.next('snapshot'), healthy.next('snapshot')]);
    const base = snapshot.last_event_id as number; // the sign-in is journaled (SPEC 13)
    slow.pause();
    // It reads again as soon as the server has closed it, so the close frame behind its backlog
    // arrives while the server still waits for the closing handshake (Bun gives up after a while).
    // The close comes from a publish, so it is checked after each append; polling every 50 ms
    // alone resumed too late under CI's load (1006 on Bun).
    const closedBySlowness = () => t!.app.hub.stats.slowConsumerCloses >= 1;
    const resumeOnceClosed = () => closedBySlowness() && slow.resume();
    const resumed = until('the slow client closed', async () => closedBySlowness(), Boolean, 60_000).then(() => slow.resume());

    // 20 MB: more than the loopback socket buffers and the 1 MiB queue together.
    for (let i = 0; i < 100; i++) {
      await t.app.journal.append([bigEvent(2 * i + 1), bigEvent(2 * i + 2)]);
      resumeOnceClosed();
      // The healthy client keeps up (on a busy machine it shares this process's CPU with the
      // server), while the paused one falls behind by every write.
      await healthy.inbox.next((m) => m.type === 'plc_updated' && m.plc.id === 2 * i + 2, 'its next event', 20_000);
    }
    const healthyDone = healthy.inbox.next((m) => m.type === 'plc_updated' && m.plc.id === 200, 'the last event', 20_000);
    await healthyDone;
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    await resumed;
    expect(await slow.closed).toEqual({ code: 4008, reason: 'slow consumer' });

    const received = slow.inbox.all.filter((m) => m.type === 'plc_updated').map((m) => m.id as number);
    const last = received.at(-1) ?? (slow.inbox.all.find((m) => m.type === 'snapshot')!.last_event_id as number);
    const resumedClient = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`);
    clients.push(resumedClient);
    resumedClient.send({ type: 'auth', access_token: token, last_event_id: last });
    await resumedClient.inbox.next((m) => m.type === 'plc_updated' && m.plc.id === 200, 'the last event', 20_000);
    const replayed = resumedClient.inbox.all.filter((m) => m.type === 'plc_updated').map((m) => m.id as number);
    expect([...received, ...replayed]).toEqual(Array.from({ length: 200 }, (_, i) => base + i + 1));
    const stats = (await t.call('GET', '/api/stats', { token })).json;
    expect(stats.events.slow_consumer_closes).toBe(1);
  });

  it('ends the stream of an SSE client that stops reading; it resumes losslessly with Last-Event-ID', { timeout: 60_000 }, async () => {
    t = await startRestApp();
    const token = await t.login();
    const url = `${t.app.url}/sse?topics=config`;
    const auth = { authorization: `Bearer ${token}` };
    const [slow, healthy] = await Promise.all([sseClient(url, auth), sseClient(url, auth)]);
    const snapshot = await slow.next('snapshot');
    await healthy.next('snapshot');
    slow.pause();

    for (let i = 0; i < 100; i++) {
      await t.app.journal.append([bigEvent(2 * i + 1), bigEvent(2 * i + 2)]);
      await healthy.inbox.next((m) => m.event === 'plc_updated' && m.data.plc.id === 2 * i + 2, 'its next event', 20_000);
    }
    await healthy.inbox.next((m) => m.event === 'plc_updated' && m.data.plc.id === 200, 'the last event', 20_000);
    slow.resume();
    await slow.ended; // the server ended it

    const ids = (c: typeof slow) => c.inbox.all.filter((m) => m.event === 'plc_updated').map((m) => Number(m.id));
    const received = ids(slow);
    expect(received.length).toBeLessThan(200);
    const last = received.at(-1) ?? Number(snapshot.id);
    const resumed = await sseClient(url, { ...auth, 'last-event-id': String(last) });
    await resumed.inbox.next((m) => m.event === 'plc_updated' && m.data.plc.id === 200, 'the last event', 20_000);
    resumed.close();
    healthy.close();
    expect([...received, ...ids(resumed)]).toEqual(Array.from({ length: 200 }, (_, i) => Number(snapshot.id) + i + 1));
    expect((await t.call('GET', '/api/stats', { token })).json.events.slow_consumer_closes).toBe(1);
  });
});

describe('resume', () => {
  it('resumes across a server restart with no loss and no duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alarms-'));
    const env = { DATABASE: join(dir, 'alarms.sqlite') };
    try {
      t = await startRestApp(env);
      let token = await t.login();
      await t.call('POST', '/api/plcs', { token, body: { name: 'a', host: 'h' } });
      const c = open(t, token);
      await c.next('snapshot');
      await t.call('POST', '/api/plcs', { token, body: { name: 'b', host: 'h' } });
      const seen = await c.next('plc_created');
      await t.stop();
      expect((await c.closed).code).toBe(1001);

      t = await startRestApp(env);
      token = await t.login();
      await t.call('POST', '/api/plcs', { token, body: { name: 'c', host: 'h' } });
      const s = await sseClient(`${t.app.url}/sse?topics=config`, { authorization: `Bearer ${token}`, 'last-event-id': String(seen.id) });
      const next = await s.next('plc_created');
      expect(next.data.plc.name).toBe('c');
      expect(s.inbox.all.filter((m) => m.event === 'plc_created')).toHaveLength(1);
      expect(s.inbox.all.some((m) => m.event === 'snapshot' || m.event === 'sync_required')).toBe(false);
      s.close();
    } finally {
      await t?.stop();
      t = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('queues live events that happen during a replay, in order, without duplicates', async () => {
    t = await startRestApp();
    const token = await t.login();
    const { last: base } = await journalRange(t.app.db); // the sign-in is journaled (SPEC 13)
    for (let i = 0; i < 50; i++) await t.app.journal.append([{ topic: 'config', type: 'plc_updated', payload: { plc: { id: i } } }]);
    const c = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`);
    clients.push(c);
    c.send({ type: 'auth', access_token: token, last_event_id: 0 });
    await c.next('welcome');
    const writes = Array.from({ length: 20 }, (_, i) =>
      t!.app.journal.append([{ topic: 'config', type: 'plc_updated', payload: { plc: { id: 50 + i } } }]),
    );
    await Promise.all(writes);
    await c.next('plc_updated', (m) => m.id === base + 70);
    const ids = c.inbox.all.filter((m) => m.type === 'plc_updated').map((m) => m.id);
    expect(ids).toEqual(Array.from({ length: 70 }, (_, i) => base + i + 1));
  });
});

describe('connection lifetime', () => {
  it('closes 4401 when the token expires', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ TOKEN_TTL_S: '60' }, { clock });
    const token = await t.login();
    const c = open(t, token);
    await c.next('snapshot');
    clock.advance(60_000);
    expect((await c.closed).code).toBe(4401);
  });

  it('ends each stream, WebSocket and SSE, when its own token expires, not before', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ TOKEN_TTL_S: '60' }, { clock });
    const early = await t.login();
    const earlyWs = open(t, early);
    const earlySse = await sseClient(`${t.app.url}/sse`, { authorization: `Bearer ${early}` });
    await Promise.all([earlyWs.next('snapshot'), earlySse.next('snapshot')]);
    clock.advance(30_000);
    const late = await t.login(); // expires 30 s after the first
    const lateWs = open(t, late);
    const lateSse = await sseClient(`${t.app.url}/sse`, { authorization: `Bearer ${late}` });
    await Promise.all([lateWs.next('snapshot'), lateSse.next('snapshot')]);
    let lateEnded = false;
    void Promise.all([lateWs.closed, lateSse.ended]).then(() => (lateEnded = true));

    clock.advance(30_000);
    expect((await earlyWs.closed).code).toBe(4401);
    await earlySse.ended;
    lateWs.ws.send(JSON.stringify({ type: 'ping', id: 7 }));
    await lateWs.next('pong', (m) => m.id === 7); // still served after the first expiry
    expect(lateEnded).toBe(false);

    clock.advance(30_000);
    expect((await lateWs.closed).code).toBe(4401);
    await lateSse.ended;
  });

  it('drops a peer that stays silent for two heartbeat intervals', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ HEARTBEAT_MS: '1000' }, { clock });
    const token = await t.login();
    const c = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
      autoPong: false,
    } as never);
    clients.push(c);
    await c.next('snapshot');
    clock.advance(1000);
    expect(await c.next('heartbeat')).toEqual({ type: 'heartbeat', ts: new Date(clock.now()).toISOString() });
    clock.advance(1000); // silent for two intervals, not more: still there
    await c.inbox.next(() => heartbeats(c) === 2, 'a second heartbeat');
    clock.advance(1000);
    expect((await c.closed).code).toBe(1006); // terminated, no closing handshake
    expect(heartbeats(c)).toBe(2);
  });

  it('keeps a peer that answers pings', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ HEARTBEAT_MS: '1000' }, { clock });
    const c = open(t, await t.login());
    await c.next('snapshot');
    const [conn] = t.app.hub.connections();
    const session = conn!.transport as unknown as { lastSeen: number };
    // Past the instant where a silent peer is dropped (above): each heartbeat comes, and its pong is in.
    for (let beat = 1; beat <= 3; beat++) {
      clock.advance(1000);
      await c.inbox.next(() => heartbeats(c) === beat, `heartbeat ${beat}`);
      await vi.waitFor(() => expect(session.lastSeen).toBe(clock.now()));
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});

describe('a gap that is no longer kept', () => {
  it('sends sync_required and a snapshot when the events after last_event_id were pruned', async () => {
    const { pruneEvents } = await import('../src/journal/events.js');
    t = await startRestApp();
    const token = await t.login();
    const { last: base } = await journalRange(t.app.db); // the sign-in is journaled (SPEC 13)
    const note = (n: number) => ({ topic: 'config' as const, type: 'plc_updated', payload: { plc: { id: n } } });
    for (const n of [1, 2, 3]) await t.app.journal.append([note(n)]);
    await pruneEvents(t.app.db, '9999-01-01T00:00:00.000Z');
    await t.app.journal.append([note(4)]);
    const resumed = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`);
    clients.push(resumed);
    resumed.send({ type: 'auth', access_token: token, last_event_id: base + 1 });
    expect((await resumed.next('sync_required')).reason).toMatch(/no longer kept/);
    expect((await resumed.next('snapshot')).last_event_id).toBe(base + 4);
    // Resuming from the newest pruned id is still lossless: the next kept event is 4.
    const edge = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`);
    clients.push(edge);
    edge.send({ type: 'auth', access_token: token, last_event_id: base + 3 });
    expect((await edge.next('plc_updated')).id).toBe(base + 4);
  });
});
