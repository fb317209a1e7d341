import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import { freePort } from '../../test/helpers/free-port.js';
import { MACHINE_BROKER, startOwnBroker, subscriber } from '../../test/helpers/mosquitto.js';
import { eventBody } from '../journal/events.js';
import { memoryLogger } from '../log/logger.js';
import { createDelivery } from './delivery.js';
import { DeliveryFailure } from './delivery-error.js';
import { createMqttSink, type MqttSink } from './mqtt-sink.js';
import { eventMessage, testMessage } from './outgoing.js';
import { memoryCursor, memoryJournal } from './test-journal.js';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
// One prefix per run: runs never see each other's messages, nor retained states left behind.
const prefix = `test-notify/${randomBytes(5).toString('hex')}`;
const never = () => new AbortController().signal;

/** The rule's current alarm as the lead will wire it (alarmBody of SPEC 4); deleted rules are null. */
const alarms = new Map<number, Record<string, unknown>>([
  [3, { rule_id: 3, rule_name: 'Rule 3', plc_id: 7, state: 'ALARM', severity: 'high', acked: false }],
]);

const sinks: MqttSink[] = [];
function sink(url = MACHINE_BROKER, timeoutMs = 5_000): MqttSink {
  const s = createMqttSink({
    url,
    topicPrefix: prefix,
    currentAlarm: (id) => alarms.get(id) ?? null,
    log: memoryLogger(),
    timeoutMs,
    reconnectMs: 100,
  });
  sinks.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  // The machine's broker keeps retained messages on disk: clear every state topic this run left.
  const cleaner = await mqtt.connectAsync(MACHINE_BROKER);
  const left: string[] = [];
  cleaner.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) left.push(topic);
  });
  await cleaner.subscribeAsync(`${prefix}/#`, { qos: 1 });
  // A QoS 1 round trip on our own topic: retained messages of the subscription arrive before its echo.
  const done = new Promise<void>((resolve) => cleaner.on('message', (topic) => topic === `${prefix}/done` && resolve()));
  await cleaner.publishAsync(`${prefix}/done`, 'x', { qos: 1 });
  await done;
  for (const topic of left) await cleaner.publishAsync(topic, '', { qos: 1, retain: true });
  await cleaner.endAsync();
});

describe('MQTT sink on the machine broker', () => {
  const journal = memoryJournal(() => T0);

  it('publishes each event QoS 1 on <mqtt_topic>/<plc_id>/<rule_id>/events, then the retained state', async () => {
    const sub = await subscriber(MACHINE_BROKER, `${prefix}/#`);
    try {
      const event = journal.append({ rule_id: 3, plc_id: 7, state: 'ALARM' });
      await sink().send(eventMessage(event), never());
      const got = await sub.inbox.next((m) => m.topic === `${prefix}/7/3/events`, 'the event');
      expect(got.qos).toBe(1);
      expect(JSON.parse(got.payload)).toEqual(eventBody(event));
      const state = await sub.inbox.next((m) => m.topic === `${prefix}/7/3/state`, 'the state');
      expect(JSON.parse(state.payload)).toEqual(alarms.get(3));
      expect(sub.inbox.all.map((m) => m.topic)).toEqual([`${prefix}/7/3/events`, `${prefix}/7/3/state`]);
    } finally {
      await sub.client.endAsync();
    }
  });

  it('leaves the current state retained for a client that subscribes later', async () => {
    alarms.set(4, { rule_id: 4, state: 'WARNING' });
    const s = sink();
    await s.send(eventMessage(journal.append({ rule_id: 4, plc_id: 8, state: 'ALARM' })), never());
    alarms.set(4, { rule_id: 4, state: 'OK' });
    await s.send(eventMessage(journal.append({ rule_id: 4, plc_id: 8, state: 'OK' })), never());
    const late = await subscriber(MACHINE_BROKER, `${prefix}/8/+/state`);
    try {
      const retained = await late.inbox.next((m) => m.topic === `${prefix}/8/4/state`, 'the retained state');
      expect(retained).toMatchObject({ retain: true, qos: 1 });
      expect(JSON.parse(retained.payload)).toEqual({ rule_id: 4, state: 'OK' });
    } finally {
      await late.client.endAsync();
    }
  });

  it('clears the retained state of a rule that is gone', async () => {
    alarms.set(5, { rule_id: 5, state: 'ALARM' });
    const s = sink();
    await s.send(eventMessage(journal.append({ rule_id: 5, plc_id: 9 })), never());
    alarms.delete(5);
    const sub = await subscriber(MACHINE_BROKER, `${prefix}/9/5/state`);
    try {
      await sub.inbox.next((m) => m.retain, 'the retained state');
      await s.send(eventMessage(journal.append({ rule_id: 5, plc_id: 9, state: 'OK' })), never());
      const cleared = await sub.inbox.next((m) => m.payload === '', 'the empty state');
      expect(cleared.topic).toBe(`${prefix}/9/5/state`);
    } finally {
      await sub.client.endAsync();
    }
  });

  it('publishes a test message on <mqtt_topic>/test', async () => {
    const sub = await subscriber(MACHINE_BROKER, `${prefix}/test`);
    try {
      await sink().send(testMessage({ id: 9, name: 'bus' }, T0), never());
      const got = await sub.inbox.next(() => true, 'the test message');
      expect(JSON.parse(got.payload)).toMatchObject({ type: 'notifier_test', notifier_id: 9 });
    } finally {
      await sub.client.endAsync();
    }
  });

  it('fails an attempt while no broker answers', async () => {
    const s = sink(`mqtt://127.0.0.1:${await freePort()}`, 300);
    const err = await s.send(eventMessage(journal.append({ rule_id: 3 })), never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryFailure);
    expect(err).toMatchObject({ code: 'not_connected' });
    expect((err as Error).message).toMatch(/^broker not connected: .*ECONNREFUSED/);
    expect(s.connection()).not.toBe('connected');
  });
});

describe('MQTT sink when its broker goes away and comes back', () => {
  it('reconnects by itself, and the delivery loop delivers every event in order', async () => {
    const broker = await startOwnBroker();
    const clock = manualClock(T0);
    const journal = memoryJournal(clock.now);
    const mqttSink = sink(broker.url, 2_000);
    const d = createDelivery({
      notifier: { id: 1, name: 'bus', events: ['alarm_state'], min_severity: 'low', max_per_rule_per_min: 6 },
      sink: mqttSink,
      readAfter: journal.readAfter,
      cursor: memoryCursor(),
      clock,
      log: memoryLogger(),
      random: () => 0.5,
    });
    try {
      journal.append({ rule_id: 3 });
      await d.start();
      await new Promise<void>((resolve) => d.onStatus((s) => s.state === 'idle' && s.delivered === 1 && resolve()));

      await broker.stop();
      journal.append({ rule_id: 3, state: 'OK' });
      journal.append({ rule_id: 3, state: 'ALARM' });
      d.wake();
      const failed = await new Promise<string>((resolve) => d.onStatus((s) => s.state === 'backing_off' && resolve(s.last_error!)));
      expect(failed).toMatch(/broker not connected|PUBACK|publish/);

      await broker.start();
      const sub = await subscriber(broker.url, `${prefix}/#`);
      clock.advance(d.status().retrying === null ? 0 : Date.parse(d.status().retrying!.next_attempt_at) - clock.now());
      await new Promise<void>((resolve) => {
        const check = () => d.status().delivered === 3 && d.status().state === 'idle' && resolve();
        d.onStatus(check);
        check();
      });
      await sub.inbox.next((m) => m.topic.endsWith('/events') && JSON.parse(m.payload).id === 3, 'event 3');
      const events = sub.inbox.all.filter((m) => m.topic.endsWith('/events')).map((m) => JSON.parse(m.payload).id);
      expect(events).toEqual([2, 3]);
      await sub.client.endAsync();
    } finally {
      await d.stop();
      await broker.dispose();
    }
  });
});
