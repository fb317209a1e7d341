import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startRestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let admin: string;
beforeEach(async () => {
  t = await startRestApp();
  admin = await t.login();
});
afterEach(() => t.stop());

describe('users', () => {
  it('creates, lists, renames and deletes users without ever returning a password', async () => {
    const created = await t.call('POST', '/api/users', {
      token: admin,
      body: { username: 'olga', password: 'operator-pw', role: 'operator' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(Number), username: 'olga', role: 'operator' });
    const list = await t.call('GET', '/api/users', { token: admin });
    expect(list.json.map((u: { username: string }) => u.username)).toEqual(['admin', 'olga']);
    expect(JSON.stringify(list.json)).not.toMatch(/password|scrypt/);

    const renamed = await t.call('PATCH', `/api/users/${created.json.id}`, { token: admin, body: { username: 'olga.k', role: 'viewer' } });
    expect(renamed.json).toMatchObject({ username: 'olga.k', role: 'viewer' });
    expect((await t.call('DELETE', `/api/users/${created.json.id}`, { token: admin })).status).toBe(204);
    expect((await t.call('GET', `/api/users/${created.json.id}`, { token: admin })).status).toBe(404);
  });

  it('changes a password so the old one stops working', async () => {
    const { json: me } = await t.call('GET', '/api/auth/me', { token: admin });
    await t.call('PATCH', `/api/users/${me.id}`, { token: admin, body: { password: 'a-new-password' } });
    expect((await t.call('POST', '/api/auth/login', { body: ADMIN })).status).toBe(401);
    expect(await t.login('admin', 'a-new-password')).toEqual(expect.any(String));
  });

  it('gives 409 for a taken username, whatever its case', async () => {
    const res = await t.call('POST', '/api/users', { token: admin, body: { username: 'ADMIN', password: 'password-1', role: 'viewer' } });
    expect(res.status).toBe(409);
  });

  it('keeps the last admin', async () => {
    const { json: me } = await t.call('GET', '/api/auth/me', { token: admin });
    expect((await t.call('DELETE', `/api/users/${me.id}`, { token: admin })).status).toBe(409);
    expect((await t.call('PATCH', `/api/users/${me.id}`, { token: admin, body: { role: 'viewer' } })).status).toBe(409);
  });

  it('rejects short passwords and unknown roles', async () => {
    const res = await t.call('POST', '/api/users', { token: admin, body: { username: 'x', password: 'short', role: 'root' } });
    expect(res.status).toBe(400);
    expect(res.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['password', 'role']);
  });

  it('applies a lowered role at once, without waiting for the token to expire', async () => {
    const operator = await t.userWithRole('operator', admin);
    const { json: op } = await t.call('GET', '/api/auth/me', { token: operator });
    await t.call('PATCH', `/api/users/${op.id}`, { token: admin, body: { role: 'user' } });
    expect((await t.call('GET', '/api/plcs', { token: operator })).status).toBe(403);
  });
});
