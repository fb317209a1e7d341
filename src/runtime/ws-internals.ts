import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { DrainSource } from '../hub/drained.js';
import { wsTextFrame } from '../hub/frame.js';

/**
 * The one place that reaches into `ws`'s private fields. The WebSocket fast path writes a batch,
 * framed once for every client, straight to the socket under each `ws` (its private `_socket`):
 * `ws.send` would frame it again per client. `ws` promises none of this, so `checkWsInternals`
 * tries it at start-up on a socket of its own, with the server's own options.
 */

/** The socket under a `ws`, as the fast path writes to it and waits for it to drain. */
export type RawSocket = DrainSource & { write(bytes: Uint8Array): boolean };

/** What the fast path assumes of `ws`; the check answers the ones that no longer hold. */
export type WsAssumption =
  /** `handleUpgrade` opens the socket before it returns (the check itself needs this). */
  | 'upgrade_in_turn'
  /** `_socket` is the writable stream the frames go to. */
  | 'raw_socket'
  /** No extension is negotiated (a browser offers permessage-deflate): frames go out as they are. */
  | 'no_extensions'
  /**
   * `ws.send` frames as `wsTextFrame` does and writes at once, so raw writes between sends keep
   * their order (ws queues only while compressing or reading a Blob; neither happens here).
   */
  | 'send_in_order'
  /** `bufferedAmount` counts bytes written to `_socket` (the hub's slow-consumer limit reads it). */
  | 'backlog_counted';

/** Thrown at start when `ws` no longer does what the fast path relies on. */
export class WsInternalsChanged extends Error {
  override name = 'WsInternalsChanged';

  constructor(readonly broken: readonly WsAssumption[]) {
    super(
      `ws ${wsVersion()} no longer does what the WebSocket fast path relies on (${broken.join(', ')}): ` +
        'use a ws version that passes, or update src/runtime/ws-internals.ts',
    );
  }
}

/** The socket under `ws`, once it is open. */
export function rawSocketOf(ws: WebSocket): RawSocket {
  const socket = socketUnder(ws);
  if (!isRawSocket(socket)) throw new WsInternalsChanged(['raw_socket']);
  return socket;
}

/** Upgrades a socket of its own through `wss`, the way a browser would, and tries each assumption on it. */
export function checkWsInternals(wss: WebSocketServer): WsAssumption[] {
  const probe = new ProbeSocket();
  let opened: WebSocket | undefined;
  wss.handleUpgrade(probeRequest(), probe, Buffer.alloc(0), (ws) => (opened = ws));
  if (!opened) {
    probe.destroy();
    return ['upgrade_in_turn'];
  }
  try {
    return brokenOn(opened, probe);
  } finally {
    probe.destroy(); // what `terminate` does, without relying on the ws under test
  }
}

function brokenOn(ws: WebSocket, probe: ProbeSocket): WsAssumption[] {
  const socket = socketUnder(ws);
  if (socket !== probe || !isRawSocket(socket)) return ['raw_socket'];
  const broken: WsAssumption[] = [];
  if (ws.extensions !== '') broken.push('no_extensions');

  // Over 1 KiB, where ws would compress if it could, and so queue the message.
  const large = 'x'.repeat(2048);
  const fast = wsTextFrame(Buffer.from('fast'));
  probe.written.length = 0; // the handshake's answer
  ws.send(large);
  socket.write(fast);
  ws.send('after');
  const expected = Buffer.concat([wsTextFrame(Buffer.from(large)), fast, wsTextFrame(Buffer.from('after'))]);
  if (!Buffer.concat(probe.written).equals(expected)) broken.push('send_in_order');

  probe.cork(); // what is written stays buffered, as on a socket that pushes back
  const before = ws.bufferedAmount;
  socket.write(fast);
  if (ws.bufferedAmount - before !== fast.length) broken.push('backlog_counted');
  probe.uncork();
  return broken;
}

function socketUnder(ws: WebSocket): unknown {
  return (ws as unknown as { _socket?: unknown })._socket;
}

function isRawSocket(socket: unknown): socket is RawSocket {
  const s = socket as Partial<Record<keyof RawSocket, unknown>> | null | undefined;
  return (
    typeof s?.write === 'function' &&
    typeof s.once === 'function' &&
    typeof s.off === 'function' &&
    typeof s.writableLength === 'number' &&
    typeof s.destroyed === 'boolean'
  );
}

/** A socket with no peer that keeps what is written to it. ws takes a plain Duplex (no setNoDelay needed). */
class ProbeSocket extends Duplex {
  readonly written: Buffer[] = [];

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.written.push(chunk);
    done();
  }
}

/** The upgrade request of a browser: GET, a key, version 13, and permessage-deflate on offer. */
function probeRequest(): IncomingMessage {
  return {
    method: 'GET',
    url: '/',
    headers: {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': Buffer.alloc(16).toString('base64'),
      'sec-websocket-version': '13',
      'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
    },
  } as unknown as IncomingMessage;
}

function wsVersion(): string {
  try {
    return (createRequire(import.meta.url)('ws/package.json') as { version: string }).version;
  } catch {
    return '(version unknown)';
  }
}
