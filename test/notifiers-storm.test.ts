import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { fakePoller } from './helpers/fake-poller.js';
import { startTestApp, type Json, type TestApp } from './helpers/test-app.js';
import { until } from './helpers/until.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

// The storm guard on a running app (SPEC 14): a chattering rule reaches a webhook at most
// max_per_rule_per_min times a clock minute; the rest of its minute goes out as one digest when
// the minute is over. Values through the poller's path, time on a manual clock.
const clock = manualClock(Date.parse('2026-03-02T08:00:00.000Z'));
const poller = fakePoller(clock.now);
let t: TestApp;
let receiver: WebhookReceiver;
let token: string;

beforeAll(async () => {
  [t, receiver] = await Promise.all([startTestApp({}, { clock, poller: poller.create }), startWebhookReceiver()]);
  token = await t.login();
});
afterAll(async () => {
  await t.stop();
  await receiver.close();
});

async function post(path: string, body: unknown): Promise<Json> {
  const res = await t.call('POST', path, { token, body });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

describe('the storm guard', () => {
  it('lets through 2 events of a chattering rule in a minute and sums up the rest in one digest after it', async () => {
    const plc = await post('/api/plcs', { name: 'Chatter', host: '127.0.0.1' });
    const point = await post('/api/datapoints', { plc_id: plc.id, label: 'LS1', area: 'coil', address: 0, type: 'bool' });
    const quiet = await post('/api/datapoints', { plc_id: plc.id, label: 'LS2', area: 'coil', address: 1, type: 'bool' });
    const rule = await post('/api/rules', { datapoint_id: point.id, name: 'Level switch', comparison: 'equal', alarm_threshold: 1 });
    const other = await post('/api/rules', { datapoint_id: quiet.id, name: 'Other switch', comparison: 'equal', alarm_threshold: 1 });
    const notifier = await post('/api/notifiers', {
      kind: 'webhook',
      name: 'pager',
      url: receiver.url,
      secret: 'storm-secret-0123456789',
      max_per_rule_per_min: 2,
      events: ['alarm_state'],
    });

    // 08:00:10 .. 08:00:15: the switch chatters six times; the other rule alarms once meanwhile.
    clock.set(Date.parse('2026-03-02T08:00:10.000Z'));
    for (let i = 0; i < 6; i++) {
      poller.poll(plc.id, { [point.id]: i % 2 === 0 ? 1 : 0 });
      if (i === 3) poller.poll(plc.id, { [quiet.id]: 1 });
      clock.advance(1000);
    }
    const [first, second, third] = await receiver.received(3);
    expect([first, second, third].map((r) => JSON.parse(r!.body)).map((e) => [e.rule_id, e.state])).toEqual([
      [rule.id, 'ALARM'],
      [rule.id, 'OK'],
      [other.id, 'ALARM'], // another rule is not held up
    ]);

    // The minute ends (plus a 2 s grace for late events): the held four go as one digest.
    // Once the third is answered and the loop idles (moving the clock under a request in flight
    // would time it out: the webhook's 5 s run on the same clock).
    await until(
      'the notifier idle with 3 delivered',
      async () => (await t.call('GET', `/api/notifiers/${notifier.id}`, { token })).json.status,
      (s) => s.state === 'idle' && s.delivered === 3 && s.pending === 1,
    ); // pending: the digest to come
    clock.set(Date.parse('2026-03-02T08:01:02.000Z'));
    const got = await receiver.received(4);
    const digest = JSON.parse(got[3]!.body);
    expect(digest).toMatchObject({ type: 'alarm_digest', rule_id: rule.id, rule_name: 'Level switch', count: 4, state: 'OK' });
    expect(digest.last_id).toBeGreaterThan(digest.first_id);
    expect(got[3]!.headers['x-alarm-event-id']).toBeTruthy();

    // A new minute: the rule may speak again.
    poller.poll(plc.id, { [point.id]: 1 });
    const [, , , , fifth] = await receiver.received(5);
    expect(JSON.parse(fifth!.body)).toMatchObject({ type: 'alarm_state', rule_id: rule.id, state: 'ALARM' });
    expect(receiver.inbox.all).toHaveLength(5);
  });
});
