import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './helpers/postgres.js';
import { sseClient, wsClient, type SseClient, type WsClient } from './helpers/stream-clients.js';
import { ADMIN, startRestApp, type Json, type TestApp } from './helpers/test-app.js';

// SPEC 13 Audit: user administration and sign-ins are topic `audit`, which only `users:admin`
// reads, in history and on every stream; no secret ever reaches the journal.
let t: TestApp;
let admin: string;
let operator: string;
beforeAll(async () => {
  t = await startRestApp();
  admin = await t.login();
  operator = await t.userWithRole('operator', admin);
});
afterAll(() => t.stop());

const history = async (token: string, query = '') => {
  const res = await t.call('GET', `/api/alarms/history?limit=1000${query}`, { token });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.events as Json[];
};
const auditOf = async (query = '') => (await history(admin, query)).filter((e) => e.topic === 'audit');
const lastId = async () => (await history(admin, '&order=desc&limit=1'))[0].id as number;

describe('audit events of user administration', () => {
  it('records who created, changed (role, name, password) and deleted an account', async () => {
    const since = await lastId();
    const made = await t.call('POST', '/api/users', {
      token: admin,
      body: { username: 'bob', password: 'bob-password-1', role: 'operator' },
    });
    const id = made.json.id as number;
    await t.call('PATCH', `/api/users/${id}`, { token: admin, body: { role: 'viewer' } });
    await t.call('PATCH', `/api/users/${id}`, { token: admin, body: { password: 'bob-password-2', username: 'robert' } });
    await t.call('DELETE', `/api/users/${id}`, { token: admin });

    const events = (await auditOf(`&after_id=${since}`)).map(({ id: _, ts: __, ...rest }) => rest);
    expect(events).toEqual([
      { topic: 'audit', type: 'user_created', user: 'admin', target: 'bob', user_id: id, role: 'operator' },
      { topic: 'audit', type: 'user_updated', user: 'admin', target: 'bob', user_id: id, changes: { role: ['operator', 'viewer'] } },
      {
        topic: 'audit',
        type: 'user_updated',
        user: 'admin',
        target: 'bob',
        user_id: id,
        changes: { username: ['bob', 'robert'], password: ['***', '***'] },
      },
      { topic: 'audit', type: 'user_deleted', user: 'admin', target: 'robert', user_id: id, role: 'viewer' },
    ]);
  });

  it('journals nothing for a change that was refused', async () => {
    const since = await lastId();
    expect(
      (await t.call('POST', '/api/users', { token: admin, body: { username: 'ADMIN', password: 'password-1', role: 'viewer' } })).status,
    ).toBe(409);
    const { json: me } = await t.call('GET', '/api/auth/me', { token: admin });
    expect((await t.call('DELETE', `/api/users/${me.id}`, { token: admin })).status).toBe(409); // the last admin
    expect(
      (await t.call('POST', '/api/users', { token: operator, body: { username: 'eve', password: 'password-1', role: 'admin' } })).status,
    ).toBe(403);
    expect(await auditOf(`&after_id=${since}`)).toEqual([]);
  });
});

describe('audit events of signing in and out', () => {
  it('records a sign-in and a sign-out with the user as actor and target', async () => {
    await t.call('POST', '/api/users', { token: admin, body: { username: 'dora', password: 'dora-password', role: 'viewer' } });
    const since = await lastId();
    const dora = await t.login('dora', 'dora-password');
    expect((await t.call('POST', '/api/auth/logout', { token: dora })).status).toBe(204);
    const events = await auditOf(`&after_id=${since}`);
    expect(events).toEqual([
      expect.objectContaining({ type: 'signed_in', user: 'dora', target: 'dora', address: expect.any(String) }),
      expect.objectContaining({ type: 'signed_out', user: 'dora', target: 'dora' }),
    ]);
    // A sign-out without a valid session signs nobody out, and journals nothing.
    expect((await t.call('POST', '/api/auth/logout', { token: dora })).status).toBe(204);
    expect(await auditOf(`&after_id=${events.at(-1).id}`)).toEqual([]);
  });

  it('records failed sign-ins the limiter counts, never the name typed, and none beyond its limit', async () => {
    await t.call('POST', '/api/users', { token: admin, body: { username: 'carol', password: 'carol-password', role: 'viewer' } });
    const since = await lastId();
    const typo = 'carol-password-typed-as-name';
    expect((await t.call('POST', '/api/auth/login', { body: { username: typo, password: 'x' } })).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await t.call('POST', '/api/auth/login', { body: { username: ' Carol', password: `guess-${i}` } })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);

    const events = await auditOf(`&after_id=${since}`);
    expect(events.map((e) => [e.type, e.user, e.target])).toEqual([
      ['sign_in_failed', null, null],
      ...Array.from({ length: 5 }, () => ['sign_in_failed', null, 'carol']),
    ]);
    expect(JSON.stringify(events)).not.toContain(typo);
  });
});

describe('no secret in the journal', () => {
  it('holds no password, hash, token or ticket anywhere in the events table', async () => {
    const secrets = ['first-password-1', 'second-password-2'];
    const made = await t.call('POST', '/api/users', { token: admin, body: { username: 'sam', password: secrets[0], role: 'operator' } });
    await t.call('PATCH', `/api/users/${made.json.id}`, { token: admin, body: { password: secrets[1] } });
    const sam = await t.login('sam', secrets[1]);
    const { ticket } = (await t.call('POST', '/api/auth/ticket', { token: sam })).json;
    await t.call('POST', '/api/auth/login', { body: { username: 'sam', password: secrets[0] } }); // the old one: a failure
    await t.call('POST', '/api/auth/logout', { token: sam });

    const hashes = (await t.app.db.selectFrom('users').select('password_hash').execute()).map((r) => r.password_hash);
    // Every column of every row, the payload as stored (not escaped again).
    const journal = (await t.app.db.selectFrom('events').selectAll().execute()).map((row) => Object.values(row).join(' ')).join('\n');
    for (const secret of [...secrets, ADMIN.password, 'password-123', ...hashes, sam, admin, ticket]) expect(journal).not.toContain(secret);
    expect(journal).not.toMatch(/scrypt|password_hash|access_token|ticket/);
    expect(journal).toContain('"password":["***","***"]');
  });
});

describe('who reads the audit topic', () => {
  it('shows audit events in history to users:admin only, whatever the filter', async () => {
    expect((await history(admin)).some((e) => e.topic === 'audit')).toBe(true);
    expect((await history(operator)).filter((e) => e.topic === 'audit')).toEqual([]);
    expect(await history(operator, '&type=signed_in,user_created')).toEqual([]);
    expect(await history(operator, '&user=admin&type=user_created')).toEqual([]);
    const csv = await t.app.request('/api/alarms/history?format=csv', { headers: { authorization: `Bearer ${operator}` } });
    expect(await csv.text()).not.toMatch(/,audit,/);
  });

  let ws: WsClient[] = [];
  let sse: SseClient[] = [];
  afterEach(() => {
    for (const c of ws) c.ws.terminate();
    for (const c of sse) c.close();
    ws = [];
    sse = [];
  });
  const wsAs = (token: string, extra: Record<string, unknown> = {}) => {
    const c = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`);
    c.send({ type: 'auth', access_token: token, ...extra });
    ws.push(c);
    return c;
  };
  const sseAs = async (token: string, query = '', headers: Record<string, string> = {}) => {
    const c = await sseClient(`${t.app.url}/sse${query}`, { authorization: `Bearer ${token}`, ...headers });
    sse.push(c);
    return c;
  };

  /** A user change, then a config change that everyone with alarms:read sees: once that is in, the first would be too. */
  async function changeThenMarker(name: string) {
    await t.call('POST', '/api/users', { token: admin, body: { username: name, password: 'password-123', role: 'viewer' } });
    return (await t.call('POST', '/api/plcs', { token: admin, body: { name: `marker-${name}`, host: 'h' } })).json.id as number;
  }

  it('streams audit events live to an admin, never to an operator, over WebSocket and SSE', async () => {
    const [adminWs, operatorWs] = [wsAs(admin), wsAs(operator)];
    const [adminSse, operatorSse] = await Promise.all([sseAs(admin), sseAs(operator, '?topics=audit,config')]);
    await Promise.all([adminWs.next('snapshot'), operatorWs.next('snapshot'), adminSse.next('snapshot'), operatorSse.next('snapshot')]);
    expect((await adminWs.next('welcome')).topics).toContain('audit');
    expect((await operatorWs.next('welcome')).topics).not.toContain('audit');
    expect((await operatorSse.next('welcome')).data.topics).toEqual(['config']); // audit asked for, not granted
    operatorWs.send({ type: 'subscribe', topics: ['audit'] });
    expect((await operatorWs.next('subscribed')).topics).not.toContain('audit');

    const plcId = await changeThenMarker('live-one');
    const marker = (m: Json) => m.plc?.id === plcId;
    await Promise.all([operatorWs.next('plc_created', marker), operatorSse.next('plc_created', (m) => marker(m.data))]);
    expect(operatorWs.inbox.all.filter((m) => m.topic === 'audit')).toEqual([]);
    expect(operatorSse.inbox.all.filter((m) => m.data.topic === 'audit')).toEqual([]);
    expect(await adminWs.next('user_created')).toMatchObject({ topic: 'audit', user: 'admin', target: 'live-one' });
    expect((await adminSse.next('user_created')).data).toMatchObject({ topic: 'audit', target: 'live-one' });
  });

  it('replays audit events on resume to an admin only, over WebSocket and SSE', async () => {
    const from = await lastId();
    const plcId = await changeThenMarker('missed-one');
    const marker = (m: Json) => m.plc?.id === plcId;
    const [adminWs, operatorWs] = [
      wsAs(admin, { last_event_id: from }),
      wsAs(operator, { last_event_id: from, topics: ['audit', 'config'] }),
    ];
    const resume = { 'last-event-id': String(from) };
    const [adminSse, operatorSse] = await Promise.all([sseAs(admin, '', resume), sseAs(operator, '', resume)]);

    await Promise.all([operatorWs.next('plc_created', marker), operatorSse.next('plc_created', (m) => marker(m.data))]);
    expect(operatorWs.inbox.all.filter((m) => m.topic === 'audit')).toEqual([]);
    expect(operatorSse.inbox.all.filter((m) => m.data.topic === 'audit')).toEqual([]);
    const replayed = await adminWs.next('user_created');
    expect(replayed).toMatchObject({ topic: 'audit', target: 'missed-one' });
    expect(replayed.id).toBeGreaterThan(from);
    expect((await adminSse.next('user_created')).data).toMatchObject({ target: 'missed-one' });
    expect(adminWs.inbox.all.some((m) => m.type === 'snapshot')).toBe(false);
  });

  it('stops streaming audit events to an admin demoted to operator', async () => {
    const other = await t.userWithRole('admin', admin);
    const c = wsAs(other);
    await c.next('snapshot');
    const { json: users } = await t.call('GET', '/api/users', { token: admin });
    const me = users.find((u: Json) => u.role === 'admin' && u.username.startsWith('admin-'));
    await t.call('PATCH', `/api/users/${me.id}`, { token: admin, body: { role: 'operator' } });
    expect((await c.next('subscribed')).topics).not.toContain('audit');
    const plcId = await changeThenMarker('after-demotion');
    await c.next('plc_created', (m) => m.plc?.id === plcId);
    expect(c.inbox.all.filter((m) => m.topic === 'audit' && m.target === 'after-demotion')).toEqual([]);
  });
});

describe('on PostgreSQL', () => {
  it('journals account changes and sign-ins alike, and a refused change not at all', { timeout: 60_000 }, async () => {
    const server = await freshPostgres();
    const pg = await startRestApp({ DATABASE: server.url });
    try {
      const token = await pg.login();
      const made = await pg.call('POST', '/api/users', { token, body: { username: 'pia', password: 'pia-password-1', role: 'viewer' } });
      expect(
        (await pg.call('POST', '/api/users', { token, body: { username: 'PIA', password: 'pia-password-1', role: 'viewer' } })).status,
      ).toBe(409);
      await pg.call('PATCH', `/api/users/${made.json.id}`, { token, body: { password: 'pia-password-2', role: 'operator' } });
      await pg.login('pia', 'pia-password-2');
      await pg.call('DELETE', `/api/users/${made.json.id}`, { token });
      const { json } = await pg.call('GET', '/api/alarms/history?type=user_created,user_updated,user_deleted,signed_in&order=desc', {
        token,
      });
      expect(json.events.map((e: Json) => [e.type, e.user, e.target, e.changes ?? null])).toEqual([
        ['user_deleted', 'admin', 'pia', null],
        ['signed_in', 'pia', 'pia', null],
        ['user_updated', 'admin', 'pia', { role: ['viewer', 'operator'], password: ['***', '***'] }],
        ['user_created', 'admin', 'pia', null],
        ['signed_in', 'admin', 'admin', null],
      ]);
    } finally {
      await pg.stop();
      await server.drop();
    }
  });
});
