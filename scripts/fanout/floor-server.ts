import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

type Corkable = { cork(): void; uncork(): void };

/**
 * The floor: a bare `ws` server on its own port that broadcasts pre-serialized messages, one
 * corked socket write per client per batch. No auth, no subscriptions, no journal: what the
 * hub's fan-out costs beyond this is the hub's overhead.
 */
export async function startFloorServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}/`,
    clients: () => wss.clients.size,
    /** Sends every message of the batch to every client; the Buffers are shared, not copied. */
    broadcast(batch: readonly Buffer[]): void {
      for (const ws of wss.clients) {
        const socket = (ws as WebSocket & { _socket: Corkable })._socket;
        socket.cork();
        for (const message of batch) ws.send(message, { binary: false });
        socket.uncork();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
