import { describe, expect, it } from 'vitest';
import { WebSocketServer, type ServerOptions } from 'ws';
import { checkWsInternals } from './ws-internals.js';

// The start-up check of the WebSocket fast path, on the ws installed and on servers that break
// one assumption each: a ws that renamed its socket, and one that compresses.

/** The options of runtime/node.ts. */
const SERVER_OPTIONS: ServerOptions = { noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false };

/** A ws whose open sockets have no `_socket` (as if a release renamed it). */
class RenamedSocketServer extends WebSocketServer {
  override handleUpgrade(...[request, socket, head, opened]: Parameters<WebSocketServer['handleUpgrade']>): void {
    super.handleUpgrade(request, socket, head, (ws, req) => {
      Object.defineProperty(ws, '_socket', { value: undefined });
      opened(ws, req);
    });
  }
}

describe('checkWsInternals', () => {
  it('passes on the ws installed, with the server options of the Node runtime', () => {
    expect(checkWsInternals(new WebSocketServer(SERVER_OPTIONS))).toEqual([]);
  });

  it('detects a ws without the `_socket` the frames are written to', () => {
    expect(checkWsInternals(new RenamedSocketServer(SERVER_OPTIONS))).toEqual(['raw_socket']);
  });

  it('detects a server that compresses, where ws.send queues and raw frames would overtake it', () => {
    expect(checkWsInternals(new WebSocketServer({ ...SERVER_OPTIONS, perMessageDeflate: true }))).toEqual([
      'no_extensions',
      'send_in_order',
    ]);
  });
});
