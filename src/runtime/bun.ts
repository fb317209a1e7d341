/// <reference types="bun-types" />
import { Database, type Statement } from 'bun:sqlite';
import type { Server, ServerWebSocket } from 'bun';
import type { Context } from 'hono';
import { serveStatic } from 'hono/serve-static';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqliteConnection, SqliteHandle } from '../db/sqlite-driver.js';
import type { FrameBatch } from '../hub/frame.js';
import { readableStreamSink, type SseSink } from '../hub/sse-stream.js';
import type { Audiences, WsHandlers, WsPeer } from '../hub/ws-peer.js';
import type { HttpRuntime, Listening, Runtime } from './runtime.js';

type BunSocket = ServerWebSocket<BunPeer>;
type BunServer = Server<BunPeer>;
/** The env the adapter hands Hono with each request. */
interface BunEnv {
  server: BunServer;
}

// A slow consumer is closed by the hub at 1 MiB queued, checked after each fan-out. Until then
// uWS must queue, not drop: its limit sits far above ours (dropping would lose events silently).
const SOCKET_BACKPRESSURE_LIMIT = 64 * 1024 * 1024;

/**
 * Bun: bun:sqlite, `Bun.serve` with Hono's fetch and Bun's own WebSockets, whose pub/sub
 * (`server.publish`) carries the hub's fan-out, and SSE as a direct stream (`DirectStreamSink`).
 */
export function bunRuntime(): Runtime {
  const http: HttpRuntime = {
    serveStatic: (root) =>
      serveStatic({
        root,
        join,
        getContent: async (path) => {
          const file = Bun.file(path);
          return (await file.exists()) ? new Response(file) : null;
        },
        isDir: async (path) => (await stat(path).catch(() => undefined))?.isDirectory(),
      }),
    webSocket: (accept) => async (c, next) => {
      const start = await accept(c);
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return next();
      const { server } = c.env as BunEnv;
      // Bun answers the handshake itself; the response returned here is not sent.
      if (server.upgrade(c.req.raw, { data: new BunPeer(start) })) return new Response(null);
      return c.text('WebSocket upgrade failed', 400);
    },
    openSse(c, headers, maxBufferedBytes, onGone) {
      const env = c.env as BunEnv | undefined;
      // app.request (tests) has no server: a plain web stream then.
      if (!env?.server) {
        const web = readableStreamSink(maxBufferedBytes, onGone);
        return { sink: web.sink, response: new Response(web.body, { headers }) };
      }
      // A stream is not idle while it waits for events: only HTTP requests time out.
      env.server.timeout(c.req.raw, 0);
      const sink = new DirectStreamSink(maxBufferedBytes, c.req.raw.signal, onGone);
      return { sink, response: new Response(sink.body, { headers }) };
    },
    clientAddress: (c: Context) => (c.env as BunEnv | undefined)?.server.requestIP(c.req.raw)?.address ?? 'unknown',
  };

  return {
    name: 'bun',
    openSqlite: bunSqlite,
    http,
    async listen(fetch, host, port, limits) {
      const server: BunServer = Bun.serve<BunPeer>({
        hostname: host,
        port,
        // Bun counts no sockets: requests in flight (SSE streams among them) and WebSockets
        // stand in for MAX_CONNECTIONS; idle sockets close after the header time-out.
        fetch: (request, srv) =>
          srv.pendingRequests + srv.pendingWebSockets > limits.maxConnections
            ? new Response('{"error":{"code":"unavailable","message":"Too many connections"}}', {
                status: 503,
                headers: { 'content-type': 'application/json', connection: 'close', 'retry-after': '5' },
              })
            : fetch(request, { server: srv } satisfies BunEnv),
        idleTimeout: Math.max(1, Math.ceil(limits.headersTimeoutMs / 1000)),
        maxRequestBodySize: 8 * 1024 * 1024, // the routes take 1 MiB; this only bounds what Bun buffers
        websocket: {
          maxPayloadLength: 64 * 1024,
          backpressureLimit: SOCKET_BACKPRESSURE_LIMIT,
          closeOnBackpressureLimit: false,
          perMessageDeflate: false, // compressing per client would undo serialize-once
          // The sessions send heartbeats and pings and drop silent peers themselves (SPEC 6).
          idleTimeout: 0,
          sendPings: false,
          open: (ws) => ws.data.opened(ws),
          message: (ws, message) => ws.data.handlers?.message(typeof message === 'string' ? message : null),
          pong: (ws) => ws.data.handlers?.pong(),
          drain: (ws) => {
            if (ws.getBufferedAmount() === 0) wake(ws.data);
          },
          close: (ws) => {
            wake(ws.data);
            ws.data.handlers?.closed();
          },
        },
      });
      const listening: Listening = {
        port: server.port ?? port,
        close: async () => void (await server.stop(true)),
        broadcast: (audience, text) => void server.publish(audience, text),
      };
      return listening;
    },
  };
}

/**
 * An SSE body as one of Bun's direct streams: each write goes to the socket when flushed, with
 * no queue and no promise per chunk in between (the web stream path costs a queue entry and a
 * pull per chunk per client). Writes before Bun starts the stream wait in a list. The backlog
 * is what was written since the socket last pushed back, until it drains. A class, like the
 * WebSocket peer: one object per live stream, its methods shared.
 */
class DirectStreamSink implements SseSink {
  readonly body: ReadableStream;
  private controller: ReadableStreamDirectController | undefined;
  private early: Uint8Array[] | undefined = [];
  private queued = 0;
  private draining = false;
  private waiters: (() => void)[] = [];
  private done = false;
  private finish!: () => void;

  constructor(
    private readonly maxBufferedBytes: number,
    signal: AbortSignal,
    private readonly onGone: () => void,
  ) {
    const finished = new Promise<void>((resolve) => (this.finish = resolve));
    signal.addEventListener('abort', () => this.gone(), { once: true });
    this.body = new ReadableStream({
      type: 'direct',
      pull: (c: ReadableStreamDirectController) => {
        this.controller = c;
        for (const bytes of this.early ?? []) this.push(c, bytes);
        this.early = undefined;
        return finished; // the stream lasts until it is ended or the client goes
      },
    } as never);
  }

  write(bytes: Uint8Array, force = false): boolean {
    if (this.done) return true;
    if (!force && this.queued > this.maxBufferedBytes) return false;
    if (this.controller) this.push(this.controller, bytes);
    else this.early?.push(bytes);
    return true;
  }

  backlog(): number {
    return this.queued;
  }

  drained(): Promise<void> {
    return this.queued === 0 || this.done ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  end(): void {
    this.controller?.end();
    this.gone();
  }

  abort(): void {
    this.controller?.close(new Error('slow consumer'));
    this.gone();
  }

  private push(c: ReadableStreamDirectController, bytes: Uint8Array): void {
    // Either answers a promise while the socket pushes back; it settles once drained.
    const written = c.write(bytes);
    const flushed = typeof written === 'number' ? c.flush() : written;
    if (typeof flushed === 'number') return;
    this.queued += bytes.length;
    if (this.draining) return;
    this.draining = true;
    flushed.then(
      () => this.settle(),
      () => this.gone(),
    );
  }

  private settle(): void {
    this.queued = 0;
    this.draining = false;
    const woken = this.waiters;
    this.waiters = [];
    for (const resolve of woken) resolve();
  }

  private gone(): void {
    if (this.done) return;
    this.done = true;
    this.settle();
    this.finish();
    this.onGone();
  }
}

function wake(peer: BunPeer): void {
  const waiters = peer.drainWaiters;
  peer.drainWaiters = undefined;
  for (const resolve of waiters ?? []) resolve();
}

const OPEN = 1;

/**
 * A Bun WebSocket as a peer; its audiences are pub/sub topics. It is also the socket's `data`,
 * from the upgrade on: one object per idle socket, a class so they share their methods.
 */
class BunPeer implements WsPeer, Audiences {
  private ws!: BunSocket;
  handlers: WsHandlers | undefined;
  /** Waiting for the socket's backlog to drain (a replay's pacing). */
  drainWaiters: (() => void)[] | undefined;

  /** `start` comes from the upgrade and is dropped once the socket is open (it holds the request's closures). */
  constructor(private start: ((peer: WsPeer) => WsHandlers) | undefined) {}

  opened(ws: BunSocket): void {
    this.ws = ws;
    const { start } = this;
    this.start = undefined;
    this.handlers = start?.(this);
  }

  get open(): boolean {
    return this.ws.readyState === OPEN;
  }

  get audiences(): Audiences {
    return this;
  }

  sendText(text: string): void {
    this.ws.sendText(text);
  }

  sendBatch(batch: FrameBatch): void {
    const { frames } = batch;
    if (frames.length === 1) this.ws.sendText(frames[0]!.json);
    else this.ws.cork(() => frames.forEach((f) => this.ws.sendText(f.json)));
  }

  backlog(): number {
    return this.ws.getBufferedAmount(); // 0 once closed
  }

  drained(): Promise<void> {
    if (this.backlog() === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.drainWaiters ??= []).push(resolve));
  }

  ping(): void {
    this.ws.ping();
  }

  terminate(): void {
    this.ws.terminate();
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState <= OPEN) this.ws.close(code, reason);
  }

  join(name: string): void {
    if (this.open) this.ws.subscribe(name);
  }

  leave(name: string): void {
    if (this.open) this.ws.unsubscribe(name);
  }
}

/**
 * bun:sqlite in the shape of better-sqlite3's slice that the hot paths use, and of Kysely's
 * SqliteDatabase. Bun's `get` answers `null` for no row where better-sqlite3 answers `undefined`.
 */
export function bunSqlite(file: string): SqliteConnection {
  const db = new Database(file, { create: true });
  const handle: SqliteHandle = {
    get inTransaction() {
      return db.inTransaction;
    },
    transaction: (fn) => db.transaction(fn) as typeof fn,
    prepare(sql) {
      const st = db.prepare(sql);
      return {
        run: (...params) => st.run(...(params as never[])),
        get: (...params) => st.get(...(params as never[])) ?? undefined,
        all: (...params) => st.all(...(params as never[])),
      };
    },
  };
  return {
    handle,
    kysely: {
      close: () => db.close(),
      prepare(sql) {
        const st: Statement = db.prepare(sql);
        return {
          reader: st.columnNames.length > 0,
          all: (params) => st.all(...(params as never[])),
          run: (params) => st.run(...(params as never[])),
          iterate: (params) => st.iterate(...(params as never[])),
        };
      },
    },
    exec: (sql) => void db.run(sql),
  };
}
