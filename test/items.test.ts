import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// One server for the file: every test works on fresh item ids, so tests do not see each other.
let t: TestApp;
let alice: string;
let bob: string;
let admin: string;

async function signUp(username: string) {
  const res = await t.call('POST', '/api/users', { token: admin, body: { username, password: 'password-123', role: 'user' } });
  expect(res.status).toBe(201);
  return t.login(username, 'password-123');
}

beforeAll(async () => {
  t = await startRestApp();
  admin = await t.login();
  [alice, bob] = await Promise.all([signUp('alice'), signUp('bob')]);
});
afterAll(() => t.stop());

const alarmBody = (over: Record<string, unknown> = {}) => ({
  kind: 'alarm',
  label: 'Wake up',
  alarm: { time: '07:00', days: [1, 2, 3, 4, 5], timezone: 'Europe/Berlin' },
  ...over,
});
const timerBody = (over: Record<string, unknown> = {}) => ({
  kind: 'timer',
  label: 'Tea',
  timer: { duration_s: 180, started_at: null },
  ...over,
});

const put = (token: string, id: string, body: unknown, ifMatch?: string | number) =>
  t.call('PUT', `/api/items/${id}`, { token, body, ...(ifMatch !== undefined && { headers: { 'if-match': String(ifMatch) } }) });
const del = (token: string, id: string, ifMatch?: number) =>
  t.call('DELETE', `/api/items/${id}`, { token, ...(ifMatch !== undefined && { headers: { 'if-match': String(ifMatch) } }) });
const get = (token: string, path = '/api/items') => t.call('GET', path, { token });

describe('items CRUD', () => {
  it('creates (201), reads, updates (200) and deletes (204) an item, with versions and a tombstone', async () => {
    const id = randomUUID();
    const created = await put(alice, id, alarmBody());
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id,
      kind: 'alarm',
      label: 'Wake up',
      enabled: true,
      alarm: { time: '07:00', days: [1, 2, 3, 4, 5], timezone: 'Europe/Berlin' },
      version: 1,
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      deleted: false,
    });
    expect((await get(alice)).json).toContainEqual(created.json);
    expect((await get(alice, `/api/items/${id}`)).json).toEqual(created.json);

    const updated = await put(
      alice,
      id,
      alarmBody({ label: 'Weekend', enabled: false, alarm: { time: '09:30', days: [6, 7], timezone: 'UTC' } }),
      1,
    );
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      label: 'Weekend',
      enabled: false,
      alarm: { time: '09:30', days: [6, 7], timezone: 'UTC' },
      version: 2,
    });

    expect((await del(alice, id, 2)).status).toBe(204);
    expect((await get(alice)).json.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await get(alice, `/api/items/${id}`)).json.error.code).toBe('not_found');
    expect((await del(alice, id)).status).toBe(404);
    const feed = (await get(alice, '/api/items?since=0')).json;
    expect(feed.changes.find((i: { id: string }) => i.id === id)).toMatchObject({ id, label: 'Weekend', version: 3, deleted: true });
  });

  it('stores timers, normalizing started_at to UTC, and a timer body cannot carry an alarm', async () => {
    const id = randomUUID().toUpperCase(); // ids compare in lower case
    const res = await put(alice, id, timerBody({ timer: { duration_s: 60, started_at: '2026-03-02T10:00:00+02:00' } }));
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: id.toLowerCase(),
      kind: 'timer',
      timer: { duration_s: 60, started_at: '2026-03-02T08:00:00.000Z' },
    });
    expect(res.json).not.toHaveProperty('alarm');
    expect((await get(alice, `/api/items/${id.toLowerCase()}`)).status).toBe(200);
  });

  it('needs a signed-in user, and nothing more', async () => {
    expect((await t.call('GET', '/api/items')).status).toBe(401);
    expect((await put(admin, randomUUID(), timerBody())).status).toBe(201);
  });
});

describe('versions (If-Match)', () => {
  it('answers 409 to a stale version, so two devices never silently overwrite each other', async () => {
    const id = randomUUID();
    expect((await put(alice, id, alarmBody())).status).toBe(201);
    const phone = await put(alice, id, alarmBody({ label: 'from the phone' }), 1);
    const tablet = await put(alice, id, alarmBody({ label: 'from the tablet' }), 1);
    expect(phone.status).toBe(200);
    expect(tablet.status).toBe(409);
    expect(tablet.json.error.code).toBe('conflict');
    expect((await get(alice, `/api/items/${id}`)).json).toMatchObject({ label: 'from the phone', version: 2 });
    // A quoted ETag form works as well as the bare number.
    expect((await put(alice, id, alarmBody({ label: 'merged' }), '"2"')).json.version).toBe(3);
  });

  it.each([
    ['a PUT without If-Match on an existing item', true, undefined],
    ['a PUT claiming creation (If-Match: 0) on an existing item', true, 0],
    ['If-Match on an item that does not exist', false, 1],
  ])('answers 409 to %s', async (_what, exists, ifMatch) => {
    const id = randomUUID();
    if (exists) await put(alice, id, alarmBody());
    const res = await put(alice, id, alarmBody({ label: 'x' }), ifMatch);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('conflict');
  });

  it('creates with If-Match: 0, deletes with a stale If-Match as 409, and recreates after a delete', async () => {
    const id = randomUUID();
    expect((await put(alice, id, timerBody(), 0)).status).toBe(201);
    expect((await del(alice, id, 7)).status).toBe(409);
    expect((await del(alice, id, 1)).status).toBe(204);
    expect((await put(alice, id, timerBody(), 2)).status).toBe(409); // the tombstone is not an item to update
    const again = await put(alice, id, timerBody({ label: 'again' }));
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ label: 'again', version: 3, deleted: false }); // versions keep counting
  });

  it('rejects a malformed If-Match with 400', async () => {
    const res = await put(alice, randomUUID(), timerBody(), 'W/"abc"');
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([{ path: 'If-Match', message: expect.any(String) }]);
  });
});

describe('owners', () => {
  it("answers 404, never 403, for another user's item, and lists only one's own", async () => {
    const id = randomUUID();
    const mine = await put(alice, id, alarmBody({ label: 'private' }));
    for (const res of [
      await get(bob, `/api/items/${id}`),
      await put(bob, id, alarmBody(), 1),
      await put(bob, id, alarmBody()),
      await del(bob, id),
      await del(bob, id, 1),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    const bobs = [(await get(bob)).json, (await get(bob, '/api/items?since=0')).json.changes];
    for (const list of bobs) expect(list.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await get(alice, `/api/items/${id}`)).json).toEqual(mine.json);
  });
});

describe('the change feed', () => {
  it('returns changes after a cursor, oldest first, tombstones included, and a cursor to continue from', async () => {
    const carol = await signUp('carol');
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await put(carol, a, alarmBody({ label: 'a' }));
    await put(carol, b, timerBody({ label: 'b' }));
    const start = (await get(carol, '/api/items?since=0')).json;
    expect(start.changes.map((i: { label: string }) => i.label)).toEqual(['a', 'b']);

    await put(carol, c, timerBody({ label: 'c' }));
    await put(carol, a, alarmBody({ label: 'a2' }), 1);
    await del(carol, b);
    const next = (await get(carol, `/api/items?since=${start.cursor}`)).json;
    expect(next.changes.map((i: { label: string; version: number; deleted: boolean }) => [i.label, i.version, i.deleted])).toEqual([
      ['c', 1, false],
      ['a2', 2, false],
      ['b', 2, true],
    ]);
    expect(next.cursor).toBeGreaterThan(start.cursor);
    expect((await get(carol, `/api/items?since=${next.cursor}`)).json).toEqual({ changes: [], cursor: next.cursor });
    expect((await get(carol)).json.map((i: { label: string }) => i.label)).toEqual(['c', 'a2']);
  });

  it('answers 409 to a cursor from the future, and 400 to a malformed one', async () => {
    expect((await get(alice, '/api/items?since=999999999')).json.error.code).toBe('conflict');
    for (const q of ['since=-1', 'since=abc', 'since=1.5', 'cursor=3']) {
      const res = await get(alice, `/api/items?${q}`);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
    }
  });
});

describe('validation', () => {
  const days31 = 31 * 86_400;
  it.each([
    ['an hour past 23', alarmBody({ alarm: { time: '25:00', days: [1], timezone: 'UTC' } }), 'alarm.time'],
    ['a time without leading zero', alarmBody({ alarm: { time: '7:00', days: [1], timezone: 'UTC' } }), 'alarm.time'],
    ['an unknown time zone', alarmBody({ alarm: { time: '07:00', days: [1], timezone: 'Mars/Olympus_Mons' } }), 'alarm.timezone'],
    ['no days', alarmBody({ alarm: { time: '07:00', days: [], timezone: 'UTC' } }), 'alarm.days'],
    ['day 0', alarmBody({ alarm: { time: '07:00', days: [0], timezone: 'UTC' } }), 'alarm.days.0'],
    ['day 8', alarmBody({ alarm: { time: '07:00', days: [1, 8], timezone: 'UTC' } }), 'alarm.days.1'],
    ['a repeated day', alarmBody({ alarm: { time: '07:00', days: [1, 1], timezone: 'UTC' } }), 'alarm.days'],
    ['an unknown alarm field', alarmBody({ alarm: { time: '07:00', days: [1], timezone: 'UTC', snooze: 5 } }), 'alarm.snooze'],
    ['a negative duration', timerBody({ timer: { duration_s: -5, started_at: null } }), 'timer.duration_s'],
    ['a zero duration', timerBody({ timer: { duration_s: 0, started_at: null } }), 'timer.duration_s'],
    ['a duration over 31 days', timerBody({ timer: { duration_s: days31 + 1, started_at: null } }), 'timer.duration_s'],
    ['a fractional duration', timerBody({ timer: { duration_s: 1.5, started_at: null } }), 'timer.duration_s'],
    ['a start that is not a timestamp', timerBody({ timer: { duration_s: 60, started_at: 'yesterday' } }), 'timer.started_at'],
    ['a start without a zone', timerBody({ timer: { duration_s: 60, started_at: '2026-03-02T08:00:00' } }), 'timer.started_at'],
    ['an empty label', timerBody({ label: '  ' }), 'label'],
    ['a label of 201 characters', timerBody({ label: 'x'.repeat(201) }), 'label'],
    ['no label', { kind: 'timer', timer: { duration_s: 60, started_at: null } }, 'label'],
    ['an unknown kind', { kind: 'stopwatch', label: 'x' }, 'kind'],
    ['a timer with an alarm', timerBody({ alarm: { time: '07:00', days: [1], timezone: 'UTC' } }), 'alarm'],
    ['an alarm without its schedule', { kind: 'alarm', label: 'x' }, 'alarm'],
    ['a server-owned field', timerBody({ version: 3 }), 'version'],
    ['an unknown field', timerBody({ color: 'red' }), 'color'],
    ['a non-boolean enabled', timerBody({ enabled: 'yes' }), 'enabled'],
  ])('rejects %s with 400 and the path', async (_what, body, path) => {
    const res = await put(alice, randomUUID(), body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
    expect(res.json.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('accepts the limits themselves', async () => {
    expect(
      (await put(alice, randomUUID(), timerBody({ label: 'x'.repeat(200), timer: { duration_s: days31, started_at: null } }))).status,
    ).toBe(201);
    expect((await put(alice, randomUUID(), timerBody({ timer: { duration_s: 1, started_at: null } }))).status).toBe(201);
    expect(
      (await put(alice, randomUUID(), alarmBody({ alarm: { time: '23:59', days: [7, 1], timezone: 'America/New_York' } }))).status,
    ).toBe(201);
  });

  it('rejects an id that is not a UUID, and a body that is not JSON', async () => {
    const badId = await put(alice, 'not-a-uuid', timerBody());
    expect(badId.status).toBe(400);
    expect(badId.json.error.details).toEqual([{ path: 'id', message: 'must be a UUID' }]);
    const notJson = await put(alice, randomUUID(), '{"kind":');
    expect(notJson.status).toBe(400);
  });
});

describe('limits', () => {
  it('allows 1000 live items per user, then answers 409 until one is deleted', async () => {
    const dave = await signUp('dave');
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    for (let i = 0; i < ids.length; i += 100) {
      const batch = await Promise.all(ids.slice(i, i + 100).map((id) => put(dave, id, timerBody())));
      expect(batch.every((r) => r.status === 201)).toBe(true);
    }
    const over = await put(dave, randomUUID(), timerBody());
    expect(over.status).toBe(409);
    expect(over.json.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('1000') });
    expect((await put(dave, ids[0]!, timerBody({ label: 'edits still work' }), 1)).status).toBe(200);
    expect((await put(alice, randomUUID(), timerBody())).status).toBe(201); // a per-user limit
    await del(dave, ids[1]!);
    expect((await put(dave, randomUUID(), timerBody())).status).toBe(201);
  });
});
