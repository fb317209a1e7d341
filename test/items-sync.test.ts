import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sseClient, wsClient, type SseClient, type WsClient } from './helpers/stream-clients.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let admin: string;
let sockets: WsClient[] = [];
let sses: SseClient[] = [];

beforeAll(async () => {
  t = await startRestApp();
  admin = await t.login();
});
afterEach(() => {
  for (const c of sockets) c.ws.terminate();
  for (const s of sses) s.close();
  sockets = [];
  sses = [];
});
afterAll(() => t.stop());

async function signUp(username: string) {
  await t.call('POST', '/api/users', { token: admin, body: { username, password: 'password-123', role: 'user' } });
  return t.login(username, 'password-123');
}

/** A WebSocket device, live once its snapshot (or replay) has arrived. */
async function wsDevice(token: string, lastEventId?: number) {
  const c = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`);
  sockets.push(c);
  c.send({ type: 'auth', access_token: token, ...(lastEventId !== undefined && { last_event_id: lastEventId }) });
  await c.next('welcome');
  if (lastEventId === undefined) await c.next('snapshot');
  return c;
}

async function sseDevice(token: string, lastEventId?: number) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
  const s = await sseClient(`${t.app.url}/sse`, headers);
  sses.push(s);
  await s.next('welcome');
  if (lastEventId === undefined) await s.next('snapshot');
  return s;
}

/** The `items` events a device has received, as the JSON bodies both transports carry. */
const itemEvents = (d: WsClient | SseClient) =>
  'ws' in d ? d.inbox.all.filter((m) => m.topic === 'items') : d.inbox.all.map((m) => m.data).filter((m) => m.topic === 'items');

const waitFor = (d: WsClient | SseClient, type: string, itemId: string) =>
  'ws' in d ? d.next(type, (m) => m.item?.id === itemId) : d.next(type, (m) => m.data.item?.id === itemId).then((m) => m.data);

const timer = (label: string) => ({ kind: 'timer', label, timer: { duration_s: 60, started_at: null } });
const put = (token: string, id: string, body: unknown, version?: number) =>
  t.call('PUT', `/api/items/${id}`, { token, body, ...(version !== undefined && { headers: { 'if-match': String(version) } }) });

describe('items on streams', () => {
  it("reaches every device of the owner, over both transports, and nobody else's", async () => {
    const [alice, bob] = await Promise.all([signUp('alice'), signUp('bob')]);
    const aliceDevices = [await wsDevice(alice), await wsDevice(alice), await sseDevice(alice), await sseDevice(alice)];
    const bobDevices = [await wsDevice(bob), await sseDevice(bob)];
    const adminDevices = [await wsDevice(admin), await sseDevice(admin)]; // may read every alarm topic, not items

    const id = randomUUID();
    await put(alice, id, timer('alice: tea'));
    await put(alice, id, timer('alice: green tea'), 1);
    await t.call('DELETE', `/api/items/${id}`, { token: alice });
    for (const d of aliceDevices) await waitFor(d, 'item_deleted', id);
    const seen = aliceDevices.map((d) => itemEvents(d).map((e) => [e.type, e.item.label, e.item.version]));
    for (const s of seen) {
      expect(s).toEqual([
        ['item_created', 'alice: tea', 1],
        ['item_updated', 'alice: green tea', 2],
        ['item_deleted', 'alice: green tea', 3],
      ]);
    }
    const ids = aliceDevices.map((d) => itemEvents(d).map((e) => e.id));
    for (const list of ids) expect(list).toEqual(ids[0]);

    // Bob's own change comes after Alice's in the journal: once it is here, hers would have been.
    const bobs = randomUUID();
    await put(bob, bobs, timer('bob: eggs'));
    for (const d of bobDevices) {
      await waitFor(d, 'item_created', bobs);
      expect(itemEvents(d).map((e) => e.item.id)).toEqual([bobs]);
    }
    await put(admin, randomUUID(), timer('admin: pizza'));
    for (const d of adminDevices) {
      await d.inbox.next((m: any) => (m.data ?? m).item?.label === 'admin: pizza', 'admin item');
      expect(itemEvents(d).map((e) => e.item.label)).toEqual(['admin: pizza']);
    }
    for (const d of aliceDevices) expect(itemEvents(d)).toHaveLength(3);
  });

  it('lets a device that was offline during three changes catch up by ?since= and by stream resume', async () => {
    const carol = await signUp('carol');
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await put(carol, a, timer('a'));
    await put(carol, b, timer('b'));

    // The tablet syncs, then goes offline, remembering its cursor and last event id.
    const tablet = await wsDevice(carol);
    const tabletSse = await sseDevice(carol);
    const { cursor } = (await t.call('GET', '/api/items?since=0', { token: carol })).json;
    await put(carol, b, timer('b: renamed before going offline'), 1);
    const lastWs = (await waitFor(tablet, 'item_updated', b)).id as number;
    const lastSse = (await waitFor(tabletSse, 'item_updated', b)).id as number;
    expect(lastSse).toBe(lastWs);
    tablet.ws.terminate();
    tabletSse.close();
    const { cursor: cursorAfter } = (await t.call('GET', '/api/items?since=0', { token: carol })).json;

    // Three changes from the phone while the tablet is away.
    const phone = await wsDevice(carol);
    await put(carol, c, timer('c'));
    await put(carol, a, timer('a: renamed'), 1);
    await t.call('DELETE', `/api/items/${b}`, { token: carol });
    await waitFor(phone, 'item_deleted', b);

    const feed = (await t.call('GET', `/api/items?since=${cursorAfter}`, { token: carol })).json;
    expect(feed.changes.map((i: { id: string; version: number; deleted: boolean }) => [i.id, i.version, i.deleted])).toEqual([
      [c, 1, false],
      [a, 2, false],
      [b, 3, true],
    ]);
    const older = (await t.call('GET', `/api/items?since=${cursor}`, { token: carol })).json;
    expect(older.changes.map((i: { id: string }) => i.id)).toEqual([c, a, b]); // b's rename is folded into its tombstone
    expect(older.cursor).toBe(feed.cursor);

    const expected = [
      ['item_created', c],
      ['item_updated', a],
      ['item_deleted', b],
    ];
    const resumedWs = await wsDevice(carol, lastWs);
    const resumedSse = await sseDevice(carol, lastSse);
    for (const d of [resumedWs, resumedSse]) {
      await waitFor(d, 'item_deleted', b);
      expect(itemEvents(d).map((e) => [e.type, e.item.id])).toEqual(expected);
      expect(itemEvents(d).map((e) => e.id)).toEqual(itemEvents(phone).map((e) => e.id));
    }
    expect(resumedWs.inbox.all.map((m) => m.type)).toEqual(['welcome', 'item_created', 'item_updated', 'item_deleted']);

    // And live from there, without a gap or a duplicate.
    await put(carol, c, timer('c: live'), 1);
    for (const d of [resumedWs, resumedSse]) {
      await waitFor(d, 'item_updated', c);
      expect(itemEvents(d)).toHaveLength(4);
    }
  });

  it('answers a concurrent stale edit with 409 and streams only the winning one', async () => {
    const dan = await signUp('dan');
    const id = randomUUID();
    await put(dan, id, timer('v1'));
    const device = await wsDevice(dan);
    const results = await Promise.all([put(dan, id, timer('phone'), 1), put(dan, id, timer('tablet'), 1)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!.json.label;
    await put(dan, id, timer('after'), 2);
    await device.next('item_updated', (m) => m.item.label === 'after');
    expect(itemEvents(device).map((e) => e.item.label)).toEqual([winner, 'after']);
  });
});
