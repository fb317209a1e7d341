import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** What an error answer's body may add to the last error, at most this many characters. */
const SNIPPET = 200;

/**
 * POSTs each message's JSON to the URL (SPEC 14). Only a 2xx answer delivers; its body is not
 * awaited. Redirects are not followed: a 3xx is a failure, so a webhook cannot be bounced to an
 * address the operator did not configure.
 *
 * node:http rather than fetch: a notifier sends one message at a time, in order, so it keeps one
 * connection alive and pays per message only the request itself; fetch's streams cost several
 * times that in CPU on Node, which bounded the server at ~800 webhook messages a second.
 */
export function createWebhookSink(options: WebhookOptions): Sink {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const clock = options.clock ?? systemClock();
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  // Parsed once: per message only the headers are new.
  const target = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: `${url.pathname}${url.search}`,
  };
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const request = secure ? httpsRequest : httpRequest;

  function attempt(message: Outgoing, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let req: ClientRequest | undefined;
      let settled = false;
      const finish = (failure?: DeliveryFailure) => {
        if (settled) return;
        settled = true;
        clock.clearTimer(timer);
        signal.removeEventListener('abort', onAbort);
        if (failure === undefined) resolve();
        else reject(failure);
      };
      const giveUp = (failure: DeliveryFailure) => {
        finish(failure);
        req?.destroy();
      };
      const timer = clock.setTimer(clock.now() + timeoutMs, () =>
        giveUp(new DeliveryFailure('timeout', `no answer within ${timeoutMs / 1000} s`)),
      );
      const onAbort = () => giveUp(new DeliveryFailure('aborted', 'stopped'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });

      req = request({
        ...target,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(message.json),
          'x-alarm-event-id': message.key,
          'x-alarm-signature': webhookSignature(options.secret, message.json),
        },
      });
      const sent = req;
      // A kept-alive connection the far end closed at this very moment fails like any other
      // attempt (Node expires idle sockets before the server's Keep-Alive time-out, so it is rare).
      sent.on('error', (err) => finish(new DeliveryFailure('connection', connectionError(err))));
      sent.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.resume(); // drained, so the connection serves the next message
          return finish();
        }
        readSnippet(res).then(
          (snippet) => finish(new DeliveryFailure('http_status', `HTTP ${status}${snippet ? `: ${snippet}` : ''}`)),
          () => finish(new DeliveryFailure('http_status', `HTTP ${status}`)),
        );
      });
      sent.end(message.json);
    });
  }

  return {
    send: attempt,
    close: async () => agent.destroy(),
  };
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

/** The start of an error answer's body, on one line. */
function readSnippet(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      if (text.length >= SNIPPET) res.destroy();
    });
    res.on('close', () => resolve(text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET)));
    res.on('error', reject);
  });
}
