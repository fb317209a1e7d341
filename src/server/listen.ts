import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

/** An HTTP server bound and accepting, with the port it got (port 0 picks a free one). */
export interface Listening {
  server: ServerType;
  port: number;
  close(): Promise<void>;
}

/** Starts @hono/node-server and resolves once it accepts connections, or rejects (e.g. EADDRINUSE). */
export function listen(fetch: Fetch, host: string, port: number, wss: WebSocketServer): Promise<Listening> {
  const server = createAdaptorServer({ fetch, hostname: host, port, websocket: { server: wss as never } }) as Server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive sockets would hold close() open until they time out.
            server.closeAllConnections();
          }),
      });
    });
  });
}
