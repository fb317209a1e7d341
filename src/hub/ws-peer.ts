import type { FrameBatch } from './frame.js';

/*
 * What the hub needs of a WebSocket, and what it does when the peer acts: each runtime's
 * adapter (runtime/node-websocket.ts, runtime/bun.ts) provides the peer and calls the handlers.
 */

/** One open WebSocket, as a session drives it. */
export interface WsPeer {
  readonly open: boolean;
  /** Sends one text message. */
  sendText(text: string): void;
  /** Sends every frame of the batch, in order, each a text message. */
  sendBatch(batch: FrameBatch): void;
  /** Bytes sent and not yet taken by the peer's socket. */
  backlog(): number;
  /** Resolves once the backlog has drained, or the socket has closed. */
  drained(): Promise<void>;
  ping(): void;
  /** Drops the connection without a closing handshake. */
  terminate(): void;
  close(code: number, reason: string): void;
  /**
   * Where the server can fan a message out to many sockets in one call (Bun's pub/sub), the
   * named audiences this socket hears; absent where every socket is written one by one.
   */
  readonly audiences?: Audiences;
}

export interface Audiences {
  join(name: string): void;
  leave(name: string): void;
}

/** What a WebSocket session does when its peer acts. */
export interface WsHandlers {
  /** A text message; `null` for a binary one, which the protocol does not have. */
  message(text: string | null): void;
  pong(): void;
  /** The socket has closed, from either side. */
  closed(): void;
}
