import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sseClient, wsClient, openedClients } from './helpers/stream-clients.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// SPEC 10: caps on streams and sockets, and time-outs for slow requests.
let t: TestApp | undefined;
const opened = openedClients();
let sockets: Socket[] = [];
afterEach(async () => {
  opened.closeAll();
  for (const s of sockets) s.destroy();
  sockets = [];
  await t?.stop();
  t = undefined;
});

const openWs = (app: TestApp, token: string) => {
  const c = wsClient(`${app.app.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  opened.ws.push(c);
  return c;
};

const openSse = async (app: TestApp, token: string) => {
  const c = await sseClient(`${app.app.url}/sse`, { authorization: `Bearer ${token}` });
  opened.sse.push(c);
  return c;
};

/** A raw TCP connection to the server, with everything it receives and its close. */
function rawSocket(app: TestApp) {
  const { port } = new URL(app.app.url);
  const socket = connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  const connected = new Promise<void>((resolve) => socket.on('connect', resolve));
  return { socket, closed, connected };
}

describe('stream caps', () => {
  it('holds a user to MAX_STREAMS_PER_USER: 429 on SSE, 4429 on WebSocket; others are not affected', async () => {
    t = await startRestApp({ MAX_STREAMS_PER_USER: '2' });
    const admin = await t.login();
    const viewer = await t.userWithRole('viewer', admin);
    await (await openSse(t, viewer)).next('snapshot');
    const first = openWs(t, viewer);
    await first.next('snapshot');

    const third = await fetch(`${t.app.url}/sse`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await openWs(t, viewer).closed).code).toBe(4429);
    await openWs(t, admin).next('snapshot');

    // A stream that ends gives its place back.
    first.ws.close();
    await first.closed;
    // The server learns of the close a moment after the client does: ask until it has.
    const statusOfAnother = async () => {
      const res = await fetch(`${t!.app.url}/sse`, { headers: { authorization: `Bearer ${viewer}` } });
      await res.body?.cancel();
      return res.status;
    };
    await expect.poll(statusOfAnother).toBe(200);
  });
});

// Node bounds sockets; Bun.serve counts none, so there it is streams and requests in flight,
// and a socket that sends nothing more is closed after the idle time-out (README, Runtimes).
const onBun = process.versions.bun !== undefined;

describe(`sockets (${onBun ? 'bun' : 'node'})`, () => {
  it('refuses connections beyond MAX_CONNECTIONS at once', async () => {
    t = await startRestApp({ MAX_CONNECTIONS: '3' });
    if (onBun) {
      const token = await t.login();
      for (let i = 0; i < 3; i++) await (await openSse(t, token)).next('snapshot');
      const extra = await fetch(`${t.app.url}/healthz`);
      expect(extra.status).toBe(503);
      expect(((await extra.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      opened.closeAll();
      await expect.poll(async () => (await fetch(`${t!.app.url}/healthz`)).status).toBe(200);
      return;
    }
    const held = [rawSocket(t), rawSocket(t), rawSocket(t)];
    await Promise.all(held.map((h) => h.connected));
    const extra = rawSocket(t);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.closed).toBe('');
    held[0]!.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => held[0]!.socket.once('data', () => resolve()));
  });

  it('closes a request whose headers do not arrive in time', async () => {
    t = await startRestApp({}, { connectionLimits: { headersTimeoutMs: 200 } });
    const slow = rawSocket(t);
    await slow.connected;
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    // Node answers 408; Bun closes the idle socket (its time-outs tick in seconds).
    expect(await slow.closed).toMatch(onBun ? /^$/ : /^HTTP\/1\.1 408/);
  });
});
