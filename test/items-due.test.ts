import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { stepClockTo } from './helpers/step-clock.js';
import { sseClient, wsClient, type SseClient, type WsClient } from './helpers/stream-clients.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// Tokens that outlive the days the clock is moved on; the longest heartbeat, which the clock moves
// on in steps of where sockets must stay open (stepClockTo).
const HOUR = 3_600_000;
const ENV = { TOKEN_TTL_S: String(30 * 86_400), HEARTBEAT_MS: String(HOUR) };
const at = (iso: string) => Date.parse(iso);

let sockets: WsClient[] = [];
let sses: SseClient[] = [];
afterEach(() => {
  for (const c of sockets) c.ws.terminate();
  for (const s of sses) s.close();
  sockets = [];
  sses = [];
});

async function signUp(app: TestApp, username: string) {
  const admin = await app.login();
  await app.call('POST', '/api/users', { token: admin, body: { username, password: 'password-123', role: 'user' } });
  return app.login(username, 'password-123');
}

async function wsDevice(app: TestApp, token: string, lastEventId?: number) {
  const c = wsClient(`${app.app.url.replace(/^http/, 'ws')}/ws`);
  sockets.push(c);
  c.send({ type: 'auth', access_token: token, ...(lastEventId !== undefined && { last_event_id: lastEventId }) });
  await c.next(lastEventId === undefined ? 'snapshot' : 'welcome');
  return c;
}

const dues = (c: WsClient) => c.inbox.all.filter((m) => m.type === 'item_due');
const put = (app: TestApp, token: string, id: string, body: unknown, version?: number) =>
  app.call('PUT', `/api/items/${id}`, { token, body, ...(version !== undefined && { headers: { 'if-match': String(version) } }) });
const alarm = (label: string, time: string, days: number[], timezone = 'Europe/Berlin') => ({
  kind: 'alarm',
  label,
  alarm: { time, days, timezone },
});
const timer = (label: string, duration_s: number, started_at: string | null) => ({
  kind: 'timer',
  label,
  timer: { duration_s, started_at },
});

describe('items coming due (one server, a manual clock from Friday 2026-03-27 06:00 UTC)', () => {
  const clock = manualClock(at('2026-03-27T06:00:00.000Z'));
  let t: TestApp;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    t = await startRestApp(ENV, { clock });
    [alice, bob] = await Promise.all([signUp(t, 'alice'), signUp(t, 'bob')]);
  });
  afterAll(() => t.stop());

  /** Changes something else and waits for it on the device: every earlier event has arrived by then. */
  async function settle(token: string, device: WsClient) {
    const id = randomUUID();
    await put(t, token, id, timer('sync point', 60, null));
    await device.next('item_created', (m) => m.item.id === id);
  }

  it("sends item_due at the alarm's instant to the owner's devices only, over both transports", async () => {
    const phone = await wsDevice(t, alice);
    const laptop = await sseClient(`${t.app.url}/sse`, { authorization: `Bearer ${alice}` });
    sses.push(laptop);
    const bobs = await wsDevice(t, bob);
    const id = randomUUID();
    await put(t, alice, id, alarm('stand-up', '08:00', [5])); // Fridays, 08:00 CET = 07:00 UTC

    clock.set(at('2026-03-27T06:59:59.999Z'));
    await settle(alice, phone);
    expect(dues(phone)).toEqual([]);

    clock.set(at('2026-03-27T07:00:00.000Z'));
    const due = await phone.next('item_due', (m) => m.item.id === id);
    expect(due).toMatchObject({ topic: 'items', ts: '2026-03-27T07:00:00.000Z', due_at: '2026-03-27T07:00:00.000Z', late: false });
    expect(due.item).toMatchObject({ id, kind: 'alarm', label: 'stand-up', version: 1 });
    const overSse = await laptop.next('item_due');
    expect(overSse.data).toEqual(due);
    expect(overSse.id).toBe(String(due.id));

    await settle(bob, bobs);
    expect(dues(bobs)).toEqual([]);
  });

  it('sends item_due when a running timer ends, once per start', async () => {
    const phone = await wsDevice(t, alice);
    const id = randomUUID();
    const start = new Date(clock.now()).toISOString();
    await put(t, alice, id, timer('tea', 90, start));

    clock.advance(89_999);
    await settle(alice, phone);
    expect(dues(phone)).toEqual([]);
    clock.advance(1);
    const first = await phone.next('item_due', (m) => m.item.id === id);
    expect(first).toMatchObject({ due_at: new Date(at(start) + 90_000).toISOString(), late: false });

    // Renaming it, or changing the duration of the start that already fired, does not fire it again.
    await put(t, alice, id, timer('green tea', 90, start), 1);
    await put(t, alice, id, timer('green tea', 120, start), 2);
    clock.advance(60_000);
    await settle(alice, phone);
    expect(dues(phone)).toHaveLength(1);

    // A new start fires again; a stopped timer never does.
    const restart = new Date(clock.now()).toISOString();
    await put(t, alice, id, timer('green tea', 30, restart), 3);
    const stopped = randomUUID();
    await put(t, alice, stopped, timer('stopped', 10, null));
    clock.advance(30_000);
    const second = await phone.next('item_due', (m) => m.item.id === id && m.due_at !== first.due_at);
    expect(second).toMatchObject({ due_at: new Date(at(restart) + 30_000).toISOString(), late: false, item: { version: 4 } });
    clock.advance(3_600_000);
    await settle(alice, phone);
    expect(dues(phone).map((m) => m.item.label)).toEqual(['tea', 'green tea']);
  });

  it('rings at the right instants across the spring-forward DST change in Europe/Berlin', async () => {
    const phone = await wsDevice(t, alice);
    const early = randomUUID();
    const breakfast = randomUUID();
    await put(t, alice, early, alarm('early', '02:30', [1, 2, 3, 4, 5, 6, 7]));
    await put(t, alice, breakfast, alarm('breakfast', '07:00', [1, 2, 3, 4, 5, 6, 7]));
    const steps = [
      ['early', '2026-03-28T01:30:00.000Z'], // 02:30 CET
      ['breakfast', '2026-03-28T06:00:00.000Z'], // 07:00 CET
      ['early', '2026-03-29T01:00:00.000Z'], // 02:30 does not exist on the 29th: 03:00 CEST, the end of the gap
      ['breakfast', '2026-03-29T05:00:00.000Z'], // 07:00 CEST
      ['early', '2026-03-30T00:30:00.000Z'], // 02:30 CEST
    ] as const;
    for (const [label, instant] of steps) {
      await stepClockTo(clock, at(instant) - 1, HOUR, [phone]); // hours, past the heartbeats
      clock.set(at(instant));
      await phone.next('item_due', (m) => m.item.label === label && m.due_at === instant);
    }
    const mine = dues(phone).filter((m) => m.item.id === early || m.item.id === breakfast);
    expect(mine.map((m) => [m.item.label, m.due_at, m.ts, m.late])).toEqual(
      steps.map(([label, instant]) => [label, instant, instant, false]),
    );
  });
});

describe('items across a restart (file database)', () => {
  it('fires what came due while the server was down once, late, and keeps time afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'items-'));
    const env = { ...ENV, DATABASE: join(dir, 'alarms.sqlite') };
    let app: TestApp | undefined;
    try {
      // Monday 2026-03-02 08:00 UTC (09:00 in Berlin).
      app = await startRestApp(env, { clock: manualClock(at('2026-03-02T08:00:00.000Z')) });
      const erin = await signUp(app, 'erin');
      const before = await wsDevice(app, erin);
      const [tea, meeting, lunch] = [randomUUID(), randomUUID(), randomUUID()];
      await put(app, erin, tea, timer('tea', 1800, '2026-03-02T08:00:00.000Z')); // ends 08:30 UTC
      await put(app, erin, meeting, alarm('meeting', '10:00', [1])); // 09:00 UTC
      await put(app, erin, lunch, alarm('lunch', '13:00', [1])); // 12:00 UTC
      const last = (await before.next('item_created', (m) => m.item.id === lunch)).id as number;
      await app.stop();

      // Down from 08:00 to 11:00: the timer and the meeting came due meanwhile, lunch did not.
      const clock = manualClock(at('2026-03-02T11:00:00.000Z'));
      app = await startRestApp(env, { clock });
      const after = await wsDevice(app, erin, last);
      await after.next('item_due', (m) => m.item.id === meeting);
      expect(dues(after).map((m) => [m.item.label, m.due_at, m.late, m.ts])).toEqual([
        ['tea', '2026-03-02T08:30:00.000Z', true, '2026-03-02T11:00:00.000Z'],
        ['meeting', '2026-03-02T09:00:00.000Z', true, '2026-03-02T11:00:00.000Z'],
      ]);
      clock.set(at('2026-03-02T12:00:00.000Z'));
      const onTime = await after.next('item_due', (m) => m.item.id === lunch);
      expect(onTime).toMatchObject({ due_at: '2026-03-02T12:00:00.000Z', late: false });
      await app.stop();

      // Another restart fires nothing again; next Monday's meeting comes on time.
      const later = manualClock(at('2026-03-02T12:30:00.000Z'));
      app = await startRestApp(env, { clock: later });
      const again = await wsDevice(app, erin, onTime.id as number);
      const probe = randomUUID();
      await put(app, erin, probe, timer('probe', 60, null));
      await again.next('item_created', (m) => m.item.id === probe);
      expect(again.inbox.all.map((m) => m.type)).toEqual(['welcome', 'item_created']);
      await stepClockTo(later, at('2026-03-09T09:00:00.000Z'), HOUR, [again]);
      expect(await again.next('item_due', (m) => m.item.id === meeting)).toMatchObject({ due_at: '2026-03-09T09:00:00.000Z', late: false });
    } finally {
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
