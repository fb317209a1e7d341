import { afterEach, describe, expect, it } from 'vitest';
import { passwordHasher, SCRYPT_PARAMS } from '../src/auth/password.js';
import { insertUser } from '../src/auth/user-repository.js';
import { postFrom } from './helpers/from-address.js';
import { ADMIN, startRestApp, type TestApp } from './helpers/test-app.js';

// SPEC 10: sign-ins are counted before the password is checked, and checked a few at a time.
// With the server's own scrypt cost, unlike the other suites: queues fill while hashes run.
const startApp = (options: Parameters<typeof startRestApp>[1] = {}) => startRestApp({}, { scrypt: SCRYPT_PARAMS, ...options });
let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const login = (app: TestApp, from: string, username: string, password: string) =>
  postFrom(from, `${app.app.url}/api/auth/login`, { username, password });

describe('sign-in storms', () => {
  it('gives 40 parallel tries at one account no more than 5 password checks', { timeout: 60_000 }, async () => {
    t = await startApp();
    const tries = Array.from({ length: 40 }, (_, i) => (i === 20 ? ADMIN.password : `guess-${i}`));
    const answers = await Promise.all(tries.map((password) => login(t!, '127.0.0.1', ADMIN.username, password)));
    const count = (status: number) => answers.filter((a) => a.status === status).length;
    expect(count(401) + count(200)).toBeLessThanOrEqual(5);
    expect(count(429)).toBeGreaterThanOrEqual(35);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.json.error.code).toBe('rate_limited');
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('lets 50 people signing in at the same moment all in', { timeout: 120_000 }, async () => {
    t = await startApp();
    const people = Array.from({ length: 50 }, (_, i) => `person${i}`);
    // One hash for all of them (each has its own through the API; the sign-ins are what is tested).
    const passwordHash = await passwordHasher().hash('password-123');
    const now = new Date().toISOString();
    for (const username of people) await insertUser(t.app.db, { username, passwordHash, role: 'viewer' }, now);
    // Each from a device of their own: 127.0.0.10 to 127.0.0.59.
    const answers = await Promise.all(people.map((username, i) => login(t!, `127.0.0.${10 + i}`, username, 'password-123')));
    expect(answers.map((a) => a.status)).toEqual(people.map(() => 200));
  });

  it('turns sign-ins beyond the waiting queue away at once with 429, without counting them as tries', { timeout: 60_000 }, async () => {
    t = await startApp({ passwordGate: { concurrent: 1, queued: 2, queuedPerAddress: 2 } });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => login(t!, `127.0.1.${i + 1}`, ADMIN.username, 'wrong-password')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // Three tries counted for admin, two left: the right password still gets in.
    expect((await login(t, '127.0.1.9', ADMIN.username, ADMIN.password)).status).toBe(200);
  });

  it('upgrades a password hashed with older scrypt parameters when its owner signs in', async () => {
    t = await startApp();
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const old = scryptSync(ADMIN.password, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const legacy = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), old.toString('base64url')].join('$');
    await t.app.db.updateTable('users').set({ password_hash: legacy }).where('username', '=', ADMIN.username).execute();
    await t.login();
    const stored = async () =>
      (await t!.app.db.selectFrom('users').select('password_hash').where('username', '=', ADMIN.username).executeTakeFirstOrThrow())
        .password_hash;
    expect(await stored()).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect((await t.call('POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);
  });
});
