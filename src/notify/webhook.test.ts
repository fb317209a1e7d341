import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventBody } from '../journal/events.js';
import { refusingUrl, startWebhookReceiver, type WebhookReceiver } from '../../test/helpers/webhook-receiver.js';
import { manualClock } from '../kernel/manual-clock.js';
import { DeliveryFailure } from './delivery-error.js';
import { eventMessage } from './outgoing.js';
import { memoryJournal } from './test-journal.js';
import { createWebhookSink, webhookSignature } from './webhook.js';

const secret = 'a-webhook-secret-of-some-length';
const journal = memoryJournal(() => Date.parse('2026-03-02T08:00:00.000Z'));
const event = journal.append({ rule_id: 3, state: 'ALARM' });
const message = eventMessage(event);
const never = () => new AbortController().signal;

/** The failure a send rejected with. */
async function failure(promise: Promise<void>): Promise<DeliveryFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryFailure);
  return err as DeliveryFailure;
}

describe('webhook sink', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  it('POSTs the event JSON with its id and an HMAC-SHA256 signature of the raw body', async () => {
    await createWebhookSink({ url: receiver.url, secret }).send(message, never());
    const [req] = await receiver.received(1);
    expect(req).toMatchObject({ method: 'POST', path: '/hook' });
    expect(JSON.parse(req!.body)).toEqual(eventBody(event));
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-alarm-event-id']).toBe(String(event.id));
    const expected = createHmac('sha256', secret).update(req!.body).digest('hex');
    expect(req!.headers['x-alarm-signature']).toBe(`sha256=${expected}`);
    expect(webhookSignature(secret, req!.body)).toBe(`sha256=${expected}`);
  });

  it('fails on a 500 with the status and the start of the answer, then delivers on the next try', async () => {
    receiver.reply({ status: 500, body: 'database\n  is down' });
    const sink = createWebhookSink({ url: receiver.url, secret });
    const err = await failure(sink.send(message, never()));
    expect(err.code).toBe('http_status');
    expect(err.message).toBe('HTTP 500: database is down');
    await sink.send(message, never());
    const [first, second] = await receiver.received(2);
    expect(second!.body).toBe(first!.body);
  });

  it('keeps only the start of a long error answer', async () => {
    receiver.reply({ status: 503, body: 'overloaded '.repeat(1000) });
    const err = await failure(createWebhookSink({ url: receiver.url, secret }).send(message, never()));
    expect(err.message).toBe(`HTTP 503: ${'overloaded '.repeat(1000).slice(0, 200)}`);
  });

  it('delivers on a 2xx status line though its body never ends, and cuts that exchange at the time-out', async () => {
    receiver.reply({ status: 200, endless: true });
    const clock = manualClock(Date.now());
    const sink = createWebhookSink({ url: receiver.url, secret, clock });
    await sink.send(message, never()); // delivered: the clock has not moved
    clock.advance(2_500);
    const next = eventMessage(journal.append({ rule_id: 4, state: 'NORMAL' }));
    const sent = sink.send(next, never()); // waits for the one connection
    clock.advance(2_500); // the first exchange is 5 s old: cut, and the next goes on a new connection
    await sent;
    const [first, second] = await receiver.received(2);
    expect(second!.headers['x-alarm-event-id']).toBe(next.key);
    expect(second!.client_port).not.toBe(first!.client_port);
    await sink.close();
  });

  it('does not follow a redirect', async () => {
    receiver.reply({ status: 302 });
    const err = await failure(createWebhookSink({ url: receiver.url, secret }).send(message, never()));
    expect(err).toMatchObject({ code: 'http_status', message: 'HTTP 302' });
    expect(receiver.inbox.all).toHaveLength(1);
  });

  it('times out an endpoint that does not answer within 5 s (on the injected clock)', async () => {
    receiver.reply({ hang: true });
    const clock = manualClock(Date.now());
    const sent = createWebhookSink({ url: receiver.url, secret, clock }).send(message, never());
    await receiver.received(1);
    clock.advance(4_999);
    clock.advance(1);
    const err = await failure(sent);
    expect(err).toMatchObject({ code: 'timeout', message: 'no answer within 5 s' });
  });

  it('delivers a slow answer that comes within the time-out', async () => {
    receiver.reply({ status: 204, delayMs: 300 });
    const clock = manualClock(Date.now());
    const sent = createWebhookSink({ url: receiver.url, secret, clock }).send(message, never());
    await receiver.received(1);
    clock.advance(4_999); // the time-out does not fire before its time
    await sent;
    expect(receiver.inbox.all).toHaveLength(1);
  });

  it('sends message after message over one kept-alive connection, in order', async () => {
    const sink = createWebhookSink({ url: receiver.url, secret });
    const messages = Array.from({ length: 5 }, (_, i) => eventMessage(journal.append({ rule_id: 10 + i, state: 'ALARM' })));
    for (const m of messages) await sink.send(m, never());
    const got = await receiver.received(5);
    expect(got.map((r) => r.headers['x-alarm-event-id'])).toEqual(messages.map((m) => m.key));
    expect(new Set(got.map((r) => r.client_port)).size).toBe(1);
    await sink.close();
  });

  it('fails on a connection reset', async () => {
    receiver.reply({ reset: true });
    const err = await failure(createWebhookSink({ url: receiver.url, secret }).send(message, never()));
    expect(err.code).toBe('connection');
    expect(err.message).toMatch(/reset|ECONNRESET|closed/i);
  });

  it('fails on a refused connection', async () => {
    const err = await failure(createWebhookSink({ url: await refusingUrl(), secret }).send(message, never()));
    expect(err).toMatchObject({ code: 'connection', message: 'connection refused (ECONNREFUSED)' });
  });

  it('stops an attempt when told to', async () => {
    receiver.reply({ hang: true });
    const stop = new AbortController();
    const sent = createWebhookSink({ url: receiver.url, secret }).send(message, stop.signal);
    await receiver.received(1);
    stop.abort();
    expect((await failure(sent)).code).toBe('aborted');
  });
});
