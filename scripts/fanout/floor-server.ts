import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

type Corkable = { cork(): void; uncork(): void };

/**
 * The floor: a bare `ws` server and a bare SSE endpoint on one node:http server that broadcast
 * pre-serialized messages, one corked socket write per client per batch. No auth, no
 * subscriptions, no journal: what the hub's fan-out costs beyond this is the hub's overhead.
 */
export async function startFloorServer() {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sse = new Set<ServerResponse>();
  const http = createServer((req, res) => {
    if (req.url !== '/sse') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('event: snapshot\ndata: {"type":"snapshot"}\n\n'); // what the bench's SSE clients wait for
    sse.add(res);
    res.on('close', () => sse.delete(res));
  });
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    wsUrl: `ws://127.0.0.1:${port}/`,
    sseUrl: `http://127.0.0.1:${port}/sse`,
    clients: () => wss.clients.size + sse.size,
    /** Sends every message of the batch to every client; the Buffers are shared, not copied. */
    broadcast(ws: readonly Buffer[], sseBlocks: readonly Buffer[]): void {
      for (const client of wss.clients) {
        const socket = (client as WebSocket & { _socket: Corkable })._socket;
        socket.cork();
        for (const message of ws) client.send(message, { binary: false });
        socket.uncork();
      }
      for (const res of sse) {
        res.cork();
        for (const block of sseBlocks) res.write(block);
        res.uncork();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        for (const res of sse) res.destroy();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
