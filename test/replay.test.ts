import { afterEach, describe, expect, it } from 'vitest';
import { sseClient, openedClients } from './helpers/stream-clients.js';
import { pausableWsClient } from './helpers/pausable-ws.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// SPEC 10: a resume replays any gap still in the journal at the reader's pace, over SSE as over
// WebSocket, filtered by topic and owner, without stalling anyone else.
let t: TestApp | undefined;
const opened = openedClients();
afterEach(async () => {
  opened.closeAll();
  await t?.stop();
  t = undefined;
});

const EVENTS = 12_000; // ~5.6 MB of SSE
const note = 'n'.repeat(400);

async function fillJournal(app: TestApp) {
  for (let i = 0; i < EVENTS; i += 1000) {
    const batch = Array.from({ length: 1000 }, (_, j) => ({
      topic: 'config' as const,
      type: 'plc_updated',
      payload: { plc: { id: i + j + 1, note } },
    }));
    await app.app.journal.append(batch);
  }
}

const ids = (list: (string | number | undefined)[]) => list.map(Number);
/** n ids in a row from the first one: nothing lost, nothing twice, in order. */
const run = (list: number[], n: number) => Array.from({ length: n }, (_, i) => (list[0] ?? 0) + i);

describe('replay of a large gap', () => {
  it('replays 5 MB over SSE to a reader that pauses, keeps /healthz answering, and goes live without a gap', {
    timeout: 60_000,
  }, async () => {
    t = await startRestApp();
    const token = await t.login();
    await fillJournal(t);
    const s = await sseClient(`${t.app.url}/sse?topics=config`, { authorization: `Bearer ${token}`, 'last-event-id': '0' });
    opened.sse.push(s);
    s.pause(); // a reader on a slow link: the replay must wait for it, not drop it

    for (let i = 0; i < 5; i++) expect((await fetch(`${t.app.url}/healthz`)).status).toBe(200);
    // An event committed mid-replay comes after the replay, once.
    await t.app.journal.append([{ topic: 'config', type: 'plc_updated', payload: { plc: { id: EVENTS + 1, note } } }]);
    expect(s.inbox.all.filter((m) => m.event === 'plc_updated').length).toBeLessThan(EVENTS);

    s.resume();
    await s.inbox.next((m) => m.event === 'plc_updated' && m.data.plc.id === EVENTS + 1, 'the live event', 30_000);
    const got = ids(s.inbox.all.filter((m) => m.event === 'plc_updated').map((m) => m.id));
    expect(got).toEqual(run(got, EVENTS + 1));
    expect(s.inbox.all.some((m) => m.event === 'snapshot' || m.event === 'sync_required')).toBe(false);
    const stats = (await t.call('GET', '/api/stats', { token })).json;
    expect(stats.events.slow_consumer_closes).toBe(0);
  });

  it('replays the same gap over WebSocket to a client whose socket stops reading for a while', { timeout: 60_000 }, async () => {
    t = await startRestApp();
    const token = await t.login();
    await fillJournal(t);
    const w = pausableWsClient(`${t.app.url.replace(/^http/, 'ws')}/ws?topics=config&last_event_id=0`, {
      authorization: `Bearer ${token}`,
    });
    opened.ws.push(w);
    await w.next('welcome');
    w.pause();
    for (let i = 0; i < 5; i++) expect((await fetch(`${t.app.url}/healthz`)).status).toBe(200);
    await t.app.journal.append([{ topic: 'config', type: 'plc_updated', payload: { plc: { id: EVENTS + 1, note } } }]);
    w.resume();
    await w.inbox.next((m) => m.type === 'plc_updated' && m.plc.id === EVENTS + 1, 'the live event', 30_000);
    const got = ids(w.inbox.all.filter((m) => m.type === 'plc_updated').map((m) => m.id));
    expect(got).toEqual(run(got, EVENTS + 1));
    expect(w.ws.readyState).toBe(w.ws.OPEN);
  });

  it("gives a user's replay only their own items, however many events others made", { timeout: 60_000 }, async () => {
    t = await startRestApp();
    const admin = await t.login();
    const user = await t.userWithRole('user', admin);
    const item = { kind: 'timer', label: 'tea', enabled: true, timer: { duration_s: 60, started_at: null } };
    await t.call('PUT', `/api/items/${crypto.randomUUID()}`, { token: admin, body: item }); // the admin's own
    await fillJournal(t);
    const mine = crypto.randomUUID();
    await t.call('PUT', `/api/items/${mine}`, { token: user, body: item });
    const s = await sseClient(`${t.app.url}/sse`, { authorization: `Bearer ${user}`, 'last-event-id': '0' });
    opened.sse.push(s);
    const created = await s.next('item_created');
    expect(created.data.item.id).toBe(mine);
    await t.call('PUT', `/api/items/${mine}`, { token: user, body: { ...item, label: 'green tea' }, headers: { 'if-match': '1' } });
    await s.next('item_updated');
    expect(s.inbox.all.map((m) => m.event)).toEqual(['welcome', 'item_created', 'item_updated']);
  });
});
