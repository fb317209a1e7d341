/**
 * One Server-Sent Events stream, reporting through the transport hooks that client.js passes:
 * { open(), text(string), activity(), ended({code?, status?, reason}) }, `ended` at most once.
 */
import { httpError } from './alarm-client-error.js';
import { CLOSE_CODES } from './close-codes.js';
import { createSseParser } from './sse-parser.js';

/**
 * Server-Sent Events over fetch and a streaming body rather than EventSource: it can send
 * Authorization and Last-Event-ID, reads the HTTP status (401 vs 403), and runs in Node too.
 */
export function openSse(fetchImpl, url, headers, hooks) {
  const abort = new AbortController();
  let live = true;
  const ended = (info) => {
    if (!live) return;
    live = false;
    hooks.ended(info);
  };
  const parser = createSseParser({
    onEvent: (e) => live && hooks.text(e.data),
    // `retry:` is read and ignored: the client's own jittered backoff decides when to come back.
  });

  (async function readEventStream() {
    let res;
    try {
      res = await fetchImpl(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal, cache: 'no-store' });
    } catch (err) {
      return ended({ code: CLOSE_CODES.abnormal, reason: String(err?.message ?? err) });
    }
    if (!res.ok || !res.body) {
      const error = await httpError(res);
      return ended({ status: res.status, reason: error.message });
    }
    hooks.open();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !live) break;
        hooks.activity(); // `: ping` comments count: they are what keeps the watchdog quiet
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.end();
      ended({ reason: 'stream ended' });
    } catch (err) {
      ended({ code: CLOSE_CODES.abnormal, reason: String(err?.message ?? err) });
    }
  })();

  return {
    kind: 'sse',
    send: () => false,
    close() {
      live = false;
      abort.abort();
    },
  };
}
