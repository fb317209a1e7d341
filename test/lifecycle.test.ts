import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { memoryLogger } from '../src/log/logger.js';
import { startMain } from './helpers/server-process.js';
import { startTestApp, testConfig, testRuntime } from './helpers/test-app.js';

describe('the server process', () => {
  it('prints the admin password once, serves /healthz, and exits 0 on SIGTERM', async () => {
    const main = startMain({});
    const [, password] = await main.waitFor(/created admin user "admin" with password: (\S+)/);
    const url = await main.url();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);

    main.child.kill('SIGTERM');
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses to start on a bad variable and says which', async () => {
    const main = startMain({ PORT: 'http' });
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(1);
    expect(main.lines.join('\n')).toMatch(/PORT: must be a whole number/);
  });
});

describe('a start that fails', () => {
  it('rejects on a busy port and leaves the database free for the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alarms-busy-'));
    const first = await startTestApp();
    try {
      const port = new URL(first.app.url).port;
      const env = { PORT: port, DATABASE: join(dir, 'a.sqlite') };
      const busy = createApp(testConfig(env), { runtime: await testRuntime(), log: memoryLogger() });
      await expect(busy.start()).rejects.toThrow(/EADDRINUSE|in use/);
      const next = createApp(testConfig({ ...env, PORT: '0' }), { runtime: await testRuntime(), log: memoryLogger() });
      await next.start();
      await next.stop();
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
