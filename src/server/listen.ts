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

/** Bounds on what one socket may hold (SPEC 10). */
export interface ConnectionLimits {
  /** Sockets in all, streams included; beyond it new connections are dropped at once. */
  maxConnections: number;
  /** A request's headers must all arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** A request, body included, must arrive within this. */
  requestTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** Starts @hono/node-server and resolves once it accepts connections, or rejects (e.g. EADDRINUSE). */
export function listen(fetch: Fetch, host: string, port: number, wss: WebSocketServer, limits = DEFAULT_CONNECTION_LIMITS): Promise<Listening> {
  const server = createAdaptorServer({
    fetch,
    hostname: host,
    port,
    websocket: { server: wss as never },
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both time-outs on this interval (30 s by default), which would let a
      // half-sent request hold its socket three times longer than the limit says.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
  }) as Server;
  server.maxConnections = limits.maxConnections;
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
