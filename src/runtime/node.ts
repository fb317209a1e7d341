import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import SQLite from 'better-sqlite3';
import type { Context } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { SqliteConnection, SqliteHandle } from '../db/sqlite-driver.js';
import { readableStreamSink, responseSink } from '../hub/sse-stream.js';
import { PENDING_UPGRADE, serveUpgrades, type PendingUpgrade } from './node-websocket.js';
import type { HttpRuntime, Listening, Runtime } from './runtime.js';
import { checkWsInternals, WsInternalsChanged } from './ws-internals.js';

/** Node: better-sqlite3, @hono/node-server, `ws` for WebSockets (node-websocket.ts), SSE straight to the response. */
export function nodeRuntime(): Runtime {
  // perMessageDeflate off: compressing per client would undo serialize-once.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  // Tried once here; a failure stops `listen`, so the start fails, before the port is bound.
  const wsBroken = checkWsInternals(wss);
  const http: HttpRuntime = {
    serveStatic: (root) => serveStatic({ root, index: 'index.html' }),
    webSocket: (accept) => async (c, next) => {
      const start = await accept(c);
      const pending = (c.env as { [PENDING_UPGRADE]?: PendingUpgrade } | undefined)?.[PENDING_UPGRADE];
      if (!pending || c.req.header('upgrade')?.toLowerCase() !== 'websocket') return next();
      pending.start = start; // serveUpgrades hands the socket to `ws` once this response is back
      return new Response(null);
    },
    openSse(c, headers, maxBufferedBytes, onGone) {
      // The stream writes to the Node response itself: no web stream and its promise per chunk
      // between the hub and 200 sockets. `app.request` (tests) has no response: a web stream then.
      const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
      if (!outgoing) {
        const web = readableStreamSink(maxBufferedBytes, onGone);
        return { sink: web.sink, response: new Response(web.body, { headers }) };
      }
      if (outgoing.destroyed) return { response: RESPONSE_ALREADY_SENT };
      outgoing.writeHead(200, headers);
      outgoing.on('close', onGone);
      return { sink: responseSink(outgoing, maxBufferedBytes), response: RESPONSE_ALREADY_SENT };
    },
    clientAddress: (c: Context) => (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.remoteAddress ?? 'unknown',
  };

  return {
    name: 'node',
    openSqlite: nodeSqlite,
    http,
    listen(fetch, host, port, limits) {
      if (wsBroken.length > 0) return Promise.reject(new WsInternalsChanged(wsBroken));
      const server = createAdaptorServer({
        fetch,
        hostname: host,
        port,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          // Node checks both time-outs on this interval (30 s by default), which would let a
          // half-sent request hold its socket three times longer than the limit says.
          connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
        },
      }) as Server;
      server.maxConnections = limits.maxConnections;
      serveUpgrades(server, wss, fetch);
      return new Promise<Listening>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve({
            port: (server.address() as AddressInfo).port,
            close: () =>
              new Promise<void>((done) => {
                wss.close();
                server.close(() => done());
                // Keep-alive sockets would hold close() open until they time out.
                server.closeAllConnections();
              }),
          });
        });
      });
    },
  };
}

/** better-sqlite3, which already has the shape the hot paths and Kysely use. */
export function nodeSqlite(file: string): SqliteConnection {
  const sqlite = new SQLite(file);
  return { handle: sqlite as unknown as SqliteHandle, kysely: sqlite, exec: (sql) => void sqlite.exec(sql) };
}
