import type { Context, MiddlewareHandler } from 'hono';
import type { SqliteConnection } from '../db/sqlite-driver.js';
import type { SseSink } from '../hub/sse-stream.js';
import type { WsHandlers, WsPeer } from '../hub/ws-peer.js';

/**
 * What differs between Node and Bun, and nothing else: the SQLite driver, the HTTP and
 * WebSocket server, static files and the peer address. `runtime/node.ts` and `runtime/bun.ts`
 * implement it; the composition root picks one. No other module imports `bun:*`,
 * better-sqlite3, `ws` or @hono/node-server.
 */
export interface Runtime {
  readonly name: 'node' | 'bun';
  /** Opens a SQLite file (or `:memory:`) with the driver of this runtime. */
  openSqlite(file: string): SqliteConnection;
  /** The HTTP layer's slice. */
  readonly http: HttpRuntime;
  /** Starts the server for `fetch` and resolves once it accepts connections. */
  listen(fetch: Fetch, host: string, port: number, limits: ConnectionLimits): Promise<Listening>;
}

export type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** What the routes need from the server underneath. */
export interface HttpRuntime {
  /** Files under `root` (relative to the working directory), `index.html` for folders. */
  serveStatic(root: string): MiddlewareHandler;
  /**
   * A WebSocket endpoint. `accept` runs before the upgrade, with the request (it may throw an
   * AppError, answered as HTTP); once the socket is open, the function it returned is called
   * with the peer and returns the handlers for what the peer does.
   */
  webSocket(accept: (c: Context) => Promise<(peer: WsPeer) => WsHandlers>): MiddlewareHandler;
  /**
   * The response and byte sink of one SSE stream; no sink when the client already left.
   * `onGone` is called when the peer goes away.
   */
  openSse(
    c: Context,
    headers: Record<string, string>,
    maxBufferedBytes: number,
    onGone: () => void,
  ): { sink?: SseSink; response: Response };
  /** The peer's IP address, `unknown` for requests without a socket (tests' `app.request`). */
  clientAddress(c: Context): string;
}

/** Bounds on what sockets may hold (SPEC 10). */
export interface ConnectionLimits {
  /**
   * Sockets in all (Node), streams in all (Bun: Bun.serve does not count sockets, so open
   * WebSockets and SSE streams are bounded, and idle HTTP sockets by `headersTimeoutMs`).
   */
  maxConnections: number;
  /** A request's headers must all arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** A request, body included, must arrive within this. */
  requestTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** A server bound and accepting, with the port it got (port 0 picks a free one). */
export interface Listening {
  port: number;
  close(): Promise<void>;
  /**
   * Sends one text message to every socket that joined `audience`, in one call (Bun's
   * `server.publish`); absent where the runtime has no such thing.
   */
  broadcast?: (audience: string, text: string) => void;
}
