import { createHmac } from 'node:crypto';
import type { Client, Dispatcher } from 'undici/index.js';
import { systemClock, type Clock } from '../kernel/clock.js';
import { DeliveryFailure } from './delivery-error.js';
import type { Outgoing } from './outgoing.js';
import type { Sink } from './sink.js';

export interface WebhookOptions {
  url: string;
  secret: string;
  /** SPEC 14: 5 s. */
  timeoutMs?: number;
  clock?: Clock;
}

/** `sha256=<hex HMAC-SHA256 of the raw body with the secret>`: receivers check it over the bytes they got. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * undici, loaded with the first webhook: its modules take ~170 ms to load, which neither alarmctl
 * nor a server without webhooks should pay. The package's own entry, not `undici`: Bun answers
 * that name with a built-in stand-in whose Client does nothing.
 */
let undici: Promise<typeof import('undici/index.js')> | undefined;
const loadUndici = () => (undici ??= import('undici/index.js'));

/** What an error answer's body may add to the last error, at most this many characters. */
const SNIPPET = 200;

const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * POSTs each message's JSON to the URL (SPEC 14). A 2xx answer delivers as soon as its status
 * line comes; its body is read and dropped. Redirects are not followed: a 3xx is a failure, so a
 * webhook cannot be bounced to an address the operator did not configure. Every exchange ends
 * within the time-out, a 2xx whose body is still trickling in too.
 *
 * undici's Client, one kept-alive connection and one request at a time (a notifier sends in
 * order): measured on loopback, it costs 35-40 % less CPU per message than node:http and ~1.5x
 * the messages a second, on Node and on Bun. fetch costs several times either.
 */
export function createWebhookSink(options: WebhookOptions): Sink {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const clock = options.clock ?? systemClock();
  const url = new URL(options.url);
  const path = `${url.pathname}${url.search}`;
  let client: Client | undefined;
  /** Attempts in flight, each ended when its signal aborts: one listener per signal, not one per attempt. */
  const inFlight = new Set<{ signal: AbortSignal; abort: () => void }>();
  const watched = new WeakSet<AbortSignal>();
  const watch = (signal: AbortSignal) => {
    if (watched.has(signal)) return;
    watched.add(signal);
    signal.addEventListener('abort', () => inFlight.forEach((a) => a.signal === signal && a.abort()), { once: true });
  };
  const connecting = loadUndici().then((u) => (client = new u.Client(url.origin, { pipelining: 1 })));

  function send(message: Outgoing, signal: AbortSignal): Promise<void> {
    return client ? attempt(client, message, signal) : connecting.then((c) => attempt(c, message, signal));
  }

  function attempt(client: Client, message: Outgoing, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let status = 0;
      let snippet = '';
      let controller: Dispatcher.DispatchController | undefined;
      /** Why the exchange was cut before undici began it: it is cut as it begins. */
      let cutEarly: Error | undefined;

      const settle = (failure?: DeliveryFailure) => {
        if (settled) return;
        settled = true;
        inFlight.delete(entry);
        if (failure === undefined) resolve();
        else reject(failure);
      };
      const cut = (reason: Error) => {
        clock.clearTimer(timer);
        if (controller) controller.abort(reason);
        else cutEarly = reason;
      };
      const fail = (failure: DeliveryFailure) => {
        settle(failure);
        cut(failure);
      };
      const timer = clock.setTimer(clock.now() + timeoutMs, () =>
        settled ? cut(new Error('answer body too slow')) : fail(new DeliveryFailure('timeout', `no answer within ${timeoutMs / 1000} s`)),
      );
      const entry = { signal, abort: () => fail(new DeliveryFailure('aborted', 'stopped')) };
      if (signal.aborted) return entry.abort();
      watch(signal);
      inFlight.add(entry);

      client.dispatch(
        {
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-alarm-event-id': message.key,
            'x-alarm-signature': webhookSignature(options.secret, message.json),
          },
          body: message.json,
        },
        {
          onRequestStart(c) {
            controller = c;
            if (cutEarly) c.abort(cutEarly);
          },
          onResponseStart(_c, statusCode) {
            status = statusCode;
            if (isSuccess(status)) settle();
          },
          onResponseData(_c, chunk) {
            if (isSuccess(status)) return;
            snippet += chunk.toString('utf8');
            if (snippet.length >= SNIPPET) fail(statusFailure(status, snippet));
          },
          onResponseEnd() {
            clock.clearTimer(timer);
            if (!isSuccess(status)) settle(statusFailure(status, snippet));
          },
          onResponseError(_c, err) {
            clock.clearTimer(timer);
            settle(new DeliveryFailure('connection', connectionError(err)));
          },
        },
      );
    });
  }

  return {
    send,
    close: () => connecting.then((c) => c.destroy()),
  };
}

/** An answer that is not 2xx, with the start of its body on one line. */
function statusFailure(status: number, body: string): DeliveryFailure {
  const snippet = body.replace(/\s+/g, ' ').trim().slice(0, SNIPPET);
  return new DeliveryFailure('http_status', `HTTP ${status}${snippet ? `: ${snippet}` : ''}`);
}

/** Socket errors carry a code (Node: ECONNREFUSED; Bun may say ConnectionRefused): name it. */
function connectionError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') return `connection refused (${code})`;
  if (code === 'ECONNRESET' || code === 'ConnectionReset' || code === 'UND_ERR_SOCKET') return `connection reset (${code})`;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
