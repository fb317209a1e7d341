/**
 * One WebSocket connection, reporting through the transport hooks that client.js passes:
 * { open(), text(string), activity(), ended({code?, reason}) }, `ended` at most once.
 */
import { CLOSE_CODES } from './close-codes.js';

const noop = () => {};

/** A WebSocket through the standard API (browsers, Node 22, or the `ws` package in Node 20). */
export function openWebSocket(WebSocketImpl, url, hooks) {
  let live = true;
  let ws;
  try {
    ws = new WebSocketImpl(url);
  } catch (err) {
    queueMicrotask(() => hooks.ended({ code: CLOSE_CODES.abnormal, reason: String(err?.message ?? err) }));
    return { kind: 'websocket', send: () => false, close: noop };
  }
  ws.onopen = () => live && hooks.open();
  ws.onmessage = (e) => {
    if (!live) return;
    hooks.activity();
    hooks.text(typeof e.data === 'string' ? e.data : String(e.data));
  };
  // Never null: the `ws` package throws an 'error' event nobody listens to. A close follows.
  ws.onerror = noop;
  ws.onclose = (e) => {
    if (!live) return;
    live = false;
    hooks.ended({ code: e.code, reason: e.reason || `closed with ${e.code}` });
  };
  return {
    kind: 'websocket',
    send(message) {
      if (!live || ws.readyState !== 1) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
    close(dead = false) {
      live = false;
      // A dead link never answers a close frame; `ws` would hold the socket 30 s waiting for it.
      if (dead && typeof ws.terminate === 'function') return ws.terminate();
      try {
        ws.close(CLOSE_CODES.normal, 'client closed');
      } catch {
        // already closing
      }
    },
  };
}
