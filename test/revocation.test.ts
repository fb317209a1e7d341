import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { sseClient, wsClient, openedClients } from './helpers/stream-clients.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// SPEC 10: account changes take effect on tokens, tickets and open streams at once.
let t: TestApp | undefined;
const opened = openedClients();
afterEach(async () => {
  opened.closeAll();
  await t?.stop();
  t = undefined;
});

async function person(app: TestApp, admin: string, role: string) {
  const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  const created = await app.call('POST', '/api/users', { token: admin, body: { username, password: 'password-123', role } });
  return { id: created.json.id as number, username, token: await app.login(username, 'password-123') };
}

function streams(app: TestApp, token: string, path = '') {
  const w = wsClient(`${app.app.url.replace(/^http/, 'ws')}/ws${path}`, { headers: { authorization: `Bearer ${token}` } });
  opened.ws.push(w);
  return sseClient(`${app.app.url}/sse${path}`, { authorization: `Bearer ${token}` }).then((s) => {
    opened.sse.push(s);
    return { w, s };
  });
}

const me = (app: TestApp, token: string) => app.call('GET', '/api/auth/me', { token });

describe('revocation', () => {
  it('a new password ends the old tokens, on REST and on open streams (4401)', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const olga = await person(t, admin, 'operator');
    const { w, s } = await streams(t, olga.token);
    await Promise.all([w.next('snapshot'), s.next('snapshot')]);

    await t.call('PATCH', `/api/users/${olga.id}`, { token: admin, body: { password: 'a-new-password' } });
    expect((await me(t, olga.token)).status).toBe(401);
    expect((await w.closed).code).toBe(4401);
    await s.ended;
    expect((await t.call('GET', '/api/alarms/active', { token: await t.login(olga.username, 'a-new-password') })).status).toBe(200);
  });

  it('sign-out ends every token and ticket of the user, the cookie too', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const olga = await person(t, admin, 'viewer');
    const second = await t.login(olga.username, 'password-123'); // another device
    const ticket = (await t.call('POST', '/api/auth/ticket', { token: second })).json.ticket as string;
    const { w } = await streams(t, second);
    await w.next('snapshot');

    expect((await t.call('POST', '/api/auth/logout', { token: olga.token })).status).toBe(204);
    for (const token of [olga.token, second]) expect((await me(t, token)).status).toBe(401);
    expect((await w.closed).code).toBe(4401);
    const withTicket = await fetch(`${t.app.url}/sse?ticket=${ticket}`);
    expect(withTicket.status).toBe(401);
    const withCookie = await fetch(`${t.app.url}/sse`, { headers: { cookie: `session=${second}` } });
    expect(withCookie.status).toBe(401);
    await withTicket.body?.cancel();
    await withCookie.body?.cancel();
  });

  it('a demoted operator keeps only what the new role may read; deleted, the streams close and the account is gone', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const olga = await person(t, admin, 'operator');
    const { w, s } = await streams(t, olga.token);
    await Promise.all([w.next('snapshot'), s.next('snapshot')]);

    await t.call('PATCH', `/api/users/${olga.id}`, { token: admin, body: { role: 'user' } });
    expect((await w.next('subscribed')).topics).toEqual(['items']);
    expect((await s.next('subscribed')).data.topics).toEqual(['items']);
    expect((await t.call('GET', '/api/alarms/active', { token: olga.token })).status).toBe(403);

    // A config event for everyone who reads alarms, then one of her own items: only the item reaches her.
    await t.call('POST', '/api/plcs', { token: admin, body: { name: 'after demotion', host: '127.0.0.1' } });
    const item = { kind: 'timer', label: 'tea', enabled: true, timer: { duration_s: 60, started_at: null } };
    expect((await t.call('PUT', `/api/items/${crypto.randomUUID()}`, { token: olga.token, body: item })).status).toBe(201);
    await Promise.all([w.next('item_created'), s.next('item_created')]);
    expect(w.inbox.all.some((m) => m.type === 'plc_created')).toBe(false);
    expect(s.inbox.all.some((m) => m.event === 'plc_created')).toBe(false);

    expect((await t.call('DELETE', `/api/users/${olga.id}`, { token: admin })).status).toBe(204);
    expect((await w.closed).code).toBe(4401);
    await s.ended;
    expect((await me(t, olga.token)).status).toBe(401);
  });

  it('closes /ws/alarms with 4403 when the role may no longer read alarms', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const olga = await person(t, admin, 'viewer');
    const { w, s } = await streams(t, olga.token, '/alarms');
    await Promise.all([w.next('snapshot'), s.next('snapshot')]);
    await t.call('PATCH', `/api/users/${olga.id}`, { token: admin, body: { role: 'user' } });
    expect((await w.closed).code).toBe(4403);
    await s.ended;
  });

  it('a WebSocket ack checks the role the user has now, not the one the stream opened with', async () => {
    t = await startRestApp();
    const admin = await t.login();
    const olga = await person(t, admin, 'operator');
    const w = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${olga.token}` } });
    opened.ws.push(w);
    await w.next('snapshot');
    await t.call('PATCH', `/api/users/${olga.id}`, { token: admin, body: { role: 'viewer' } });
    w.send({ type: 'ack', rule_id: 1 });
    expect((await w.next('error')).code).toBe('forbidden');
    const history = await t.call('GET', '/api/alarms/history?after_id=0', { token: admin });
    expect(history.json.events.filter((e: { type: string }) => e.type === 'alarm_ack')).toEqual([]);
  });

  it('a stream opened with a ticket ends when the token behind the ticket expires', async () => {
    const clock = manualClock(Date.now());
    t = await startRestApp({ TOKEN_TTL_S: '60' }, { clock });
    const token = await t.login();
    clock.advance(50_000);
    const ticket = (await t.call('POST', '/api/auth/ticket', { token })).json.ticket as string;
    const s = await sseClient(`${t.app.url}/sse?ticket=${ticket}`);
    opened.sse.push(s);
    await s.next('snapshot');
    clock.advance(10_000); // the token's hour is up, not the ticket's stream's own
    await s.ended;
    expect(s.inbox.all.at(-1)?.event).toBe('snapshot');
  });
});
