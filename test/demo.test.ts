import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoRules } from '../src/demo/demo-plant.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('the demo plant (DEMO=1)', () => {
  it('seeds an empty database once, polls its simulator, and keeps the rows across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alarms-demo-'));
    const env = { DEMO: '1', DATABASE: join(dir, 'demo.sqlite') };
    try {
      t = await startTestApp(env);
      let token = await t.login();
      const plcs = (await t.call('GET', '/api/plcs', { token })).json;
      expect(plcs).toEqual([expect.objectContaining({ name: 'Demo PLC', host: '127.0.0.1', port: t.app.demoSimulator!.port })]);
      expect((await t.call('GET', '/api/datapoints', { token })).json).toHaveLength(6);
      expect((await t.call('GET', '/api/rules', { token })).json.map((r: { name: string }) => r.name)).toContain(
        'K-1 discharge temperature high',
      );
      await t.app.demoSimulator!.untilRequests(1);
      await t.stop();

      t = await startTestApp(env);
      token = await t.login();
      expect((await t.call('GET', '/api/plcs', { token })).json).toHaveLength(1);
      expect((await t.call('GET', '/api/rules', { token })).json).toHaveLength(demoRules.length);
    } finally {
      await t?.stop();
      t = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
