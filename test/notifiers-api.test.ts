import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookSignature } from '../src/notify/index.js';
import { startRestApp, type Json, type TestApp } from './helpers/test-app.js';
import { until } from './helpers/until.js';
import { refusingUrl, startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { MACHINE_BROKER, subscriber } from './helpers/mosquitto.js';

// `/api/notifiers` (SPEC 14) through the app: CRUD, validation, permissions, the secret kept
// out of every answer and event, and "send test" against a real receiver and the machine's broker.
const SECRET = 'a-secret-of-at-least-16';
let t: TestApp;
let token: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  t = await startRestApp();
  token = await t.login();
});
afterAll(() => t.stop());
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  for (const n of (await t.call('GET', '/api/notifiers', { token })).json) await t.call('DELETE', `/api/notifiers/${n.id}`, { token });
  await receiver.close();
});

const webhook = (over: Record<string, unknown> = {}) => ({ kind: 'webhook', name: 'Pager', url: receiver.url, secret: SECRET, ...over });
const create = async (body: unknown) => {
  const res = await t.call('POST', '/api/notifiers', { token, body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
};
const details = (res: { json: Json }) => res.json.error.details.map((d: { path: string }) => d.path);

describe('notifier CRUD', () => {
  it('creates with the SPEC defaults and a status, and never returns the secret', async () => {
    const created = await create(webhook());
    expect(created).toEqual({
      id: expect.any(Number),
      kind: 'webhook',
      name: 'Pager',
      url: receiver.url,
      enabled: true,
      min_severity: 'low',
      events: ['alarm_state', 'alarm_ack', 'alarm_escalated'],
      max_per_rule_per_min: 6,
      status: expect.objectContaining({ delivered: 0, pending: 0, failed_attempts: 0, last_error: null, last_delivered_at: null }),
    });
    // The loop starts behind the answer: it reads the journal, saves its cursor, then idles.
    const one = await until(
      'the new notifier idle',
      () => t.call('GET', `/api/notifiers/${created.id}`, { token }),
      (res) => res.json.status.state === 'idle',
    );
    const list = await t.call('GET', '/api/notifiers', { token });
    expect(one.json).toMatchObject({ id: created.id, name: 'Pager', status: { state: 'idle' } });
    expect(list.json.map((n: Json) => n.id)).toEqual([created.id]);
    for (const body of [created, one.json, list.json]) expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it('creates an MQTT notifier with topic "alarms" and masks a broker password', async () => {
    const created = await create({ kind: 'mqtt', name: 'Bus', url: 'mqtt://plant:hunter2@127.0.0.1:1883', enabled: false });
    expect(created).toMatchObject({
      kind: 'mqtt',
      mqtt_topic: 'alarms',
      url: 'mqtt://plant:***@127.0.0.1:1883',
      status: { state: 'disabled' },
    });
    expect(JSON.stringify(created)).not.toContain('hunter2');
    // The masked URL sent back (an edit form) keeps the password; a new one replaces it.
    const same = await t.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { url: created.url, mqtt_topic: 'site/alarms' } });
    expect(same.json).toMatchObject({ url: 'mqtt://plant:***@127.0.0.1:1883', mqtt_topic: 'site/alarms' });
  });

  it('patches over the stored settings, keeping the secret unless a new one is given', async () => {
    const created = await create(webhook());
    const res = await t.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { min_severity: 'high', enabled: false } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ min_severity: 'high', enabled: false, url: receiver.url, status: { state: 'disabled' } });
    expect(res.json).not.toHaveProperty('secret');

    // The secret is still there: the test message is signed with it.
    expect((await t.call('POST', `/api/notifiers/${created.id}/test`, { token })).json).toMatchObject({ ok: true });
    const [first] = await receiver.received(1);
    expect(first!.headers['x-alarm-signature']).toBe(webhookSignature(SECRET, first!.body));

    const rotated = 'a-brand-new-secret-123';
    await t.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { secret: rotated } });
    await t.call('POST', `/api/notifiers/${created.id}/test`, { token });
    const [, second] = await receiver.received(2);
    expect(second!.headers['x-alarm-signature']).toBe(webhookSignature(rotated, second!.body));
  });

  it('deletes', async () => {
    const created = await create(webhook());
    expect((await t.call('DELETE', `/api/notifiers/${created.id}`, { token })).status).toBe(204);
    expect((await t.call('GET', `/api/notifiers/${created.id}`, { token })).status).toBe(404);
    expect((await t.call('DELETE', `/api/notifiers/${created.id}`, { token })).status).toBe(404);
    expect((await t.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { enabled: false } })).status).toBe(404);
    expect((await t.call('POST', `/api/notifiers/${created.id}/test`, { token })).status).toBe(404);
  });

  it('refuses a second notifier of the same name (409)', async () => {
    await create(webhook());
    const res = await t.call('POST', '/api/notifiers', { token, body: webhook() });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('conflict');
  });
});

describe('bad input is a 400 with details', () => {
  it.each([
    ['an ftp URL', { url: 'ftp://example.com/x' }, ['url']],
    ['a file URL', { url: 'file:///etc/passwd' }, ['url']],
    ['not a URL', { url: 'example.com/hook' }, ['url']],
    ['credentials in the URL', { url: 'https://user:pw@example.com/hook' }, ['url']],
    ['an unknown field', { colour: 'red' }, ['colour']],
    ['a field of the other kind', { mqtt_topic: 'alarms' }, ['mqtt_topic']],
    ['a short secret', { secret: 'short' }, ['secret']],
    ['an unknown event type', { events: ['alarm_state', 'user_created'] }, ['events.1']],
    ['an unknown severity', { min_severity: 'urgent' }, ['min_severity']],
  ])('%s', async (_what, over, paths) => {
    const res = await t.call('POST', '/api/notifiers', { token, body: webhook(over) });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
    expect(details(res)).toEqual(paths);
  });

  it('a missing secret, a bad broker URL, a bad topic, an unknown kind', async () => {
    const { secret: _secret, ...noSecret } = webhook();
    expect(details(await t.call('POST', '/api/notifiers', { token, body: noSecret }))).toEqual(['secret']);
    const broker = { kind: 'mqtt', name: 'Bus', url: 'http://127.0.0.1:1883' };
    expect(details(await t.call('POST', '/api/notifiers', { token, body: broker }))).toEqual(['url']);
    const topic = { kind: 'mqtt', name: 'Bus', url: MACHINE_BROKER, mqtt_topic: 'a/#' };
    expect(details(await t.call('POST', '/api/notifiers', { token, body: topic }))).toEqual(['mqtt_topic']);
    expect(details(await t.call('POST', '/api/notifiers', { token, body: webhook({ kind: 'email' }) }))).toEqual(['kind']);
    expect((await t.call('POST', '/api/notifiers', { token, body: 'not json' })).status).toBe(400);
  });

  it('a PATCH is checked as a whole, and cannot change the kind', async () => {
    const created = await create(webhook());
    const path = `/api/notifiers/${created.id}`;
    expect(details(await t.call('PATCH', path, { token, body: { url: 'gopher://x' } }))).toEqual(['url']);
    expect(details(await t.call('PATCH', path, { token, body: { id: 9 } }))).toEqual(['id']);
    expect(details(await t.call('PATCH', path, { token, body: { kind: 'mqtt' } }))).toEqual(['kind']);
    expect(details(await t.call('PATCH', path, { token, body: { secret: null } }))).toEqual(['secret']);
    expect((await t.call('PATCH', path, { token, body: [1] })).status).toBe(400);
    expect((await t.call('GET', path, { token })).json).toMatchObject({ url: receiver.url, min_severity: 'low' });
  });

  it('a bad id', async () => {
    expect((await t.call('GET', '/api/notifiers/abc', { token })).status).toBe(400);
  });
});

describe('permissions', () => {
  it('needs alarms:admin for every verb (403), and a token (401)', async () => {
    const created = await create(webhook());
    for (const role of ['operator', 'viewer']) {
      const other = await t.userWithRole(role, token);
      for (const [method, path] of [
        ['GET', '/api/notifiers'],
        ['GET', `/api/notifiers/${created.id}`],
        ['POST', '/api/notifiers'],
        ['PATCH', `/api/notifiers/${created.id}`],
        ['DELETE', `/api/notifiers/${created.id}`],
        ['POST', `/api/notifiers/${created.id}/test`],
      ] as const) {
        const res = await t.call(method, path, {
          token: other,
          body: method === 'GET' || method === 'DELETE' ? undefined : webhook({ name: 'x' }),
        });
        expect(res.status, `${role} ${method} ${path}`).toBe(403);
        expect(res.json.error.code).toBe('forbidden');
      }
    }
    expect((await t.call('GET', '/api/notifiers')).status).toBe(401);
    expect(receiver.inbox.all).toEqual([]);
  });
});

describe('config events', () => {
  it('journals notifier_created, _updated and _deleted without the secret or the URL', async () => {
    const created = await create(webhook());
    await t.call('PATCH', `/api/notifiers/${created.id}`, { token, body: { enabled: false, secret: 'another-secret-1234' } });
    await t.call('DELETE', `/api/notifiers/${created.id}`, { token });
    const history = await t.call('GET', '/api/alarms/history?limit=1000', { token });
    const events = history.json.events.filter((e: Json) => e.type.startsWith('notifier_') && e.notifier.id === created.id);
    expect(events.map((e: Json) => e.type)).toEqual(['notifier_created', 'notifier_updated', 'notifier_deleted']);
    expect(events[0]).toMatchObject({ topic: 'config', notifier: { id: created.id, name: 'Pager', kind: 'webhook', enabled: true } });
    expect(events[1].notifier).toMatchObject({ enabled: false });
    const text = JSON.stringify(events);
    for (const hidden of [SECRET, 'another-secret-1234', receiver.url]) expect(text).not.toContain(hidden);
  });
});

describe('send test', () => {
  it('posts one signed notifier_test to a webhook', async () => {
    const created = await create(webhook({ enabled: false }));
    const res = await t.call('POST', `/api/notifiers/${created.id}/test`, { token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, key: expect.stringMatching(/^test-\d+$/) });
    const [request] = await receiver.received(1);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-alarm-event-id']).toBe(res.json.key);
    expect(request!.headers['x-alarm-signature']).toBe(webhookSignature(SECRET, request!.body));
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'notifier_test',
      notifier_id: created.id,
      message: 'Test message from notifier Pager',
    });
  });

  it('reports a failure with its code', async () => {
    receiver.reply({ status: 500, body: 'boom' });
    const failing = await create(webhook());
    expect((await t.call('POST', `/api/notifiers/${failing.id}/test`, { token })).json).toMatchObject({
      ok: false,
      error: { code: 'http_status', message: 'HTTP 500: boom' },
    });
    const refused = await create(webhook({ name: 'Nobody', url: await refusingUrl() }));
    expect((await t.call('POST', `/api/notifiers/${refused.id}/test`, { token })).json).toMatchObject({
      ok: false,
      error: { code: 'connection' },
    });
  });

  it('publishes one test message to an MQTT broker', async () => {
    const prefix = `test-${process.pid}-${Date.now()}`;
    const sub = await subscriber(MACHINE_BROKER, `${prefix}/#`);
    try {
      const created = await create({ kind: 'mqtt', name: 'Bus', url: MACHINE_BROKER, mqtt_topic: prefix });
      expect((await t.call('POST', `/api/notifiers/${created.id}/test`, { token })).json).toMatchObject({ ok: true });
      const got = await sub.inbox.next((m) => m.topic === `${prefix}/test`, 'the test message');
      expect(JSON.parse(got.payload)).toMatchObject({ type: 'notifier_test', notifier_id: created.id });
    } finally {
      await sub.client.endAsync();
    }
  });
});
