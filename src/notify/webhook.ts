import { createHmac } from 'node:crypto';
import { DeliveryFailure, timedOut } from './delivery-error.js';
import type { Outgoing } from './outgoing.js';
import type { Sink } from './sink.js';

export interface WebhookOptions {
  url: string;
  secret: string;
  /** SPEC 14: 5 s. */
  timeoutMs?: number;
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
 */
export function createWebhookSink(options: WebhookOptions): Sink {
  const timeoutMs = options.timeoutMs ?? 5_000;

  async function sendWebhook(message: Outgoing, signal: AbortSignal): Promise<void> {
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    let res: Response;
    try {
      res = await fetch(options.url, {
        method: 'POST',
        body: message.json,
        headers: {
          'content-type': 'application/json',
          'x-alarm-event-id': message.key,
          'x-alarm-signature': webhookSignature(options.secret, message.json),
        },
        redirect: 'manual',
        signal: attempt,
      });
    } catch (err) {
      throw failureOf(err, attempt, timeoutMs);
    }
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => {});
      return;
    }
    const snippet = await readSnippet(res).catch(() => '');
    throw new DeliveryFailure('http_status', `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`);
  }

  return { send: sendWebhook, close: async () => {} };
}

function failureOf(err: unknown, attempt: AbortSignal, timeoutMs: number): DeliveryFailure {
  if (attempt.aborted) {
    return timedOut(attempt)
      ? new DeliveryFailure('timeout', `no answer within ${timeoutMs / 1000} s`)
      : new DeliveryFailure('aborted', 'stopped');
  }
  return new DeliveryFailure('connection', connectionError(err));
}

/**
 * Node's fetch (undici) throws `TypeError: fetch failed` with the socket error as `cause`;
 * Bun throws the socket error itself, with a `code`. Either way, name the code.
 */
function connectionError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') return `connection refused (${code})`;
  if (code === 'ECONNRESET' || code === 'ConnectionReset' || code === 'UND_ERR_SOCKET') return `connection reset (${code})`;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** The start of an error answer's body, on one line. */
async function readSnippet(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (text.length < SNIPPET) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET);
}
