import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from './helpers/test-app.js';

// The same API over a real socket: what curl and browsers see.
let t: TestApp;
let url: string;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  url = t.app.url;
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => t.stop());

describe('over HTTP', () => {
  it('serves health without auth', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the pages and the client with a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/rules.html', '/client/alarm-client.js']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    expect((await fetch(`${url}/../package.json`)).status).toBe(404);
  });

  it('refuses a streamed body over 1 MiB that has no content-length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${url}/api/plcs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('keeps serving while bad requests arrive in parallel with good ones', async () => {
    const bad = Array.from({ length: 20 }, (_, i) =>
      fetch(`${url}/api/plcs`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: `{"name":${i}` }),
    );
    const good = Array.from({ length: 20 }, (_, i) =>
      fetch(`${url}/api/plcs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: `P${i}`, host: 'h' }),
      }),
    );
    const statuses = await Promise.all([...bad, ...good].map(async (p) => (await p).status));
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 201)).toBe(true);
    const list = await fetch(`${url}/api/plcs`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await list.json()) as unknown[]).length).toBe(20);
  });
});
