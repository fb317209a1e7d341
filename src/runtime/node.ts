import { createAdaptorServer, upgradeWebSocket, type HttpBindings } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import SQLite from 'better-sqlite3';
import type { Context } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SqliteHandle } from '../db/database.js';
import { drained, type DrainSource } from '../hub/drained.js';
import type { FrameBatch } from '../hub/frame.js';
import { readableStreamSink, responseSink } from '../hub/sse-stream.js';
import type { HttpRuntime, Listening, Runtime, SqliteConnection, WsHandlers, WsPeer } from './runtime.js';

/** Node: better-sqlite3, @hono/node-server with a `ws` server, SSE straight to the response. */
export function nodeRuntime(): Runtime {
  // perMessageDeflate off: compressing per client would undo serialize-once.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const http: HttpRuntime = {
    serveStatic: (root) => serveStatic({ root, index: 'index.html' }),
    webSocket: (accept) =>
      upgradeWebSocket(async (c) => {
        const start = await accept(c);
        let handlers: WsHandlers | undefined;
        return {
          onOpen(_event, ws) {
            const raw = ws.raw as WebSocket;
            handlers = start(new NodePeer(raw));
            raw.on('pong', () => handlers?.pong());
          },
          onMessage: (event) => handlers?.message(typeof event.data === 'string' ? event.data : null),
          onClose: () => handlers?.closed(),
        };
      }),
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

type RawSocket = DrainSource & { write(bytes: Uint8Array): boolean };

/**
 * A `ws` socket as a peer. A batch goes out as its frames' bytes, framed once and shared by
 * every client, in one write to the socket under `ws` (its private `_socket`): `ws.send` would
 * frame each message per client. Safe beside ws's own sends because its sender writes
 * synchronously and queues only while compressing (off here) or reading a Blob (never sent).
 * A class: one per idle socket.
 */
class NodePeer implements WsPeer {
  readonly #socket: RawSocket;

  constructor(private readonly ws: WebSocket) {
    const socket = (ws as unknown as { _socket?: RawSocket })._socket;
    if (!socket || typeof socket.write !== 'function') throw new Error('ws internals changed: no _socket to write frames to');
    this.#socket = socket;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  sendText(text: string): void {
    this.ws.send(text, { binary: false });
  }

  sendBatch(batch: FrameBatch): void {
    this.#socket.write(batch.wsBytes);
  }

  backlog(): number {
    return this.ws.bufferedAmount;
  }

  drained(): Promise<void> {
    return drained(this.#socket);
  }

  ping(): void {
    this.ws.ping();
  }

  terminate(): void {
    this.ws.terminate();
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }
}
