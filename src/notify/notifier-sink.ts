import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../log/logger.js';
import { createMqttSink } from './mqtt-sink.js';
import type { Notifier } from './notifier.js';
import type { Sink } from './sink.js';
import { createWebhookSink } from './webhook.js';

export interface SinkDeps {
  /** The rule's current alarm as `GET /api/alarms/active` lists it, null once it is gone (MQTT retained state). */
  currentAlarm(ruleId: number): unknown;
  clock: Clock;
  log: Logger;
}

/** The sink a notifier's settings describe; close it when the notifier is stopped or changed. */
export function sinkFor(notifier: Notifier, deps: SinkDeps): Sink {
  switch (notifier.kind) {
    case 'webhook':
      return createWebhookSink({ url: notifier.url, secret: notifier.secret, clock: deps.clock });
    case 'mqtt':
      return createMqttSink({ url: notifier.url, topicPrefix: notifier.mqtt_topic, currentAlarm: deps.currentAlarm, log: deps.log });
  }
}
