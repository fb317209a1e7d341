import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { drained } from '../hub/drained.js';
import type { FrameBatch } from '../hub/frame.js';
import type { WsHandlers, WsPeer } from '../hub/ws-peer.js';
import type { Fetch } from './runtime.js';
import { rawSocketOf, type RawSocket } from './ws-internals.js';

/** Where the `/ws` route leaves, in the request's env, what starts the session once the socket is open. */
export const PENDING_UPGRADE = Symbol('pending WebSocket upgrade');
export interface PendingUpgrade {
  start?: (peer: WsPeer) => WsHandlers;
}

/**
 * WebSocket upgrades on Node: each upgrade request goes through the Hono app as a plain request
 * (auth, origin and errors as for any route); when the route accepted it, `ws` takes the socket
 * over, and nothing of the request outlives the handshake. @hono/node-server's own helper keeps
 * the upgrade's Context, Request and IncomingMessage alive for the socket's whole life (about
 * 5 KB per idle WebSocket).
 */
export function serveUpgrades(server: Server, wss: WebSocketServer, fetch: Fetch): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(request, socket, head));

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {}); // a peer that resets mid-handshake
    const pending: PendingUpgrade = {};
    let response: Response;
    try {
      response = await fetch(webRequest(request), { incoming: request, outgoing: undefined, [PENDING_UPGRADE]: pending });
    } catch {
      response = new Response(null, { status: 400 });
    }
    if (socket.destroyed) return;
    const { start } = pending;
    if (!start) return writeResponse(socket, response);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const handlers = start(new NodePeer(ws));
      ws.on('message', (data, isBinary) => handlers.message(isBinary ? null : String(data)));
      ws.on('pong', () => handlers.pong());
      ws.on('close', () => handlers.closed());
      ws.on('error', () => {});
    });
  }
}

/** The upgrade request as a web Request; a Host header that makes no URL throws (answered 400). */
function webRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return new Request(new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`).href, { headers });
}

/** A refused upgrade: the app's response, written to the raw socket, which then closes. */
async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const head = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'connection') head.push(`${name}: ${value}`);
  });
  head.push(`content-length: ${body.length}`, 'connection: close', '', '');
  if (!socket.destroyed) socket.end(Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), body]));
}

/**
 * A `ws` socket as a peer. A batch goes out as its frames' bytes, framed once and shared by
 * every client, in one write to the socket under `ws` (ws-internals.ts, checked at start-up):
 * `ws.send` would frame each message per client. A class: one per idle socket.
 */
class NodePeer implements WsPeer {
  readonly #socket: RawSocket;

  constructor(private readonly ws: WebSocket) {
    this.#socket = rawSocketOf(ws);
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
