import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMain, type RuntimeName } from './helpers/server-process.js';
import { sseClient, openedClients } from './helpers/stream-clients.js';
import { ADMIN, JWT_SECRET, startTestApp } from './helpers/test-app.js';

// SPEC 11: one database file serves both runtimes. npm test runs this file on each, so each
// writes for the other and reads what the other wrote.
const here: RuntimeName = process.versions.bun ? 'bun' : 'node';
const other: RuntimeName = here === 'bun' ? 'node' : 'bun';

const opened = openedClients();
afterEach(() => opened.closeAll());

/** The config events from the start, as the server replays them, up to the PLC named `last`. */
async function journalSeen(url: string, token: string, last: string): Promise<string[]> {
  const s = await sseClient(`${url}/sse?topics=config`, { authorization: `Bearer ${token}`, 'last-event-id': '0' });
  opened.sse.push(s);
  await s.next('plc_created', (m) => m.data.plc.name === last);
  return s.inbox.all.filter((m) => m.event.startsWith('plc_')).map((m) => `${m.id} ${m.event} ${m.data.plc.name}`);
}

describe(`one database file under Node and Bun (this run: ${here})`, () => {
  it(`opens under ${other} what ${here} wrote, and the other way round`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alarms-runtimes-'));
    const env = { DATABASE: join(dir, 'alarms.sqlite') };
    try {
      // Written here.
      const first = await startTestApp(env);
      const token = await first.login();
      const created = await first.call('POST', '/api/plcs', {
        token,
        body: { name: `written on ${here}`, host: '127.0.0.1', port: 1, enabled: false },
      });
      expect(created.status).toBe(201);
      const writtenHere = await journalSeen(first.app.url, token, `written on ${here}`);
      expect(writtenHere).toEqual([expect.stringMatching(new RegExp(`^\\d+ plc_created written on ${here}$`))]);
      opened.closeAll();
      await first.stop();

      // Read and written there: the same admin password (scrypt hash), PLC and events with the same ids.
      const main = startMain({ ...env, ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, JWT_SECRET }, other);
      const url = await main.url();
      expect(main.lines.join('\n')).toContain(`(${other})`);
      const login = await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
      expect(login.status).toBe(200);
      const otherToken = ((await login.json()) as { access_token: string }).access_token;
      const auth = { authorization: `Bearer ${otherToken}`, 'content-type': 'application/json' };
      const plcs = (await (await fetch(`${url}/api/plcs`, { headers: auth })).json()) as { name: string }[];
      expect(plcs.map((p) => p.name)).toEqual([`written on ${here}`]);
      expect(await journalSeen(url, otherToken, `written on ${here}`)).toEqual(writtenHere);
      const more = await fetch(`${url}/api/plcs`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: `written on ${other}`, host: '127.0.0.1', port: 1, enabled: false }),
      });
      expect(more.status).toBe(201);
      const writtenThere = await journalSeen(url, otherToken, `written on ${other}`);
      expect(writtenThere).toHaveLength(2);
      expect(writtenThere.slice(0, 1)).toEqual(writtenHere);
      opened.closeAll();
      main.child.kill('SIGTERM');
      expect((await once(main.child, 'exit'))[0]).toBe(0);

      // Back here: both PLCs, and the journal as the other runtime left it.
      const again = await startTestApp(env);
      const againToken = await again.login();
      expect((await again.call('GET', '/api/plcs', { token: againToken })).json.map((p: { name: string }) => p.name)).toEqual([
        `written on ${here}`,
        `written on ${other}`,
      ]);
      expect(await journalSeen(again.app.url, againToken, `written on ${other}`)).toEqual(writtenThere);
      opened.closeAll();
      await again.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
