import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../log/logger.js';
import { DeliveryFailure, timedOut } from './delivery-error.js';
import { eventsTopic, stateTopic, testTopic } from './mqtt-topics.js';
import type { Outgoing } from './outgoing.js';
import type { Sink } from './sink.js';

export interface MqttSinkOptions {
  /** `mqtt://` or `mqtts://`; credentials may ride in the URL (`mqtt://user:pass@host`). */
  url: string;
  topicPrefix: string;
  /** The rule's current alarm (SPEC 4) for its retained state; null once the rule is gone. */
  currentAlarm(ruleId: number): unknown;
  log: Logger;
  /** How long one send may wait for a connection and the PUBACKs: 5 s, as a webhook's answer. */
  timeoutMs?: number;
  reconnectMs?: number;
}

export type MqttConnection = 'connecting' | 'connected' | 'offline' | 'closed';

export interface MqttSink extends Sink {
  connection(): MqttConnection;
}

/**
 * Publishes each message QoS 1 on its rule's `events` topic, then the rule's current alarm
 * retained on its `state` topic (an empty retained payload clears it once the rule is gone).
 * `send` resolves only after the broker's PUBACK for both. mqtt.js reconnects by itself.
 *
 * A send fails at once while there is no connection, rather than letting mqtt.js queue it
 * offline: the delivery loop retries with its own backoff, and an offline queue would meanwhile
 * pile up a copy of the message per attempt, all flushed when the broker comes back.
 */
export function createMqttSink(options: MqttSinkOptions): MqttSink {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const client = mqtt.connect(options.url, {
    clientId: `alarm-notify-${randomBytes(6).toString('hex')}`,
    clean: true,
    reconnectPeriod: options.reconnectMs ?? 2_000,
    connectTimeout: timeoutMs,
  });
  let state: MqttConnection = 'connecting';
  let lastError: string | null = null;

  client.on('connect', () => {
    if (state !== 'connected' && lastError !== null) options.log.info(`mqtt notifier: connected to ${redacted(options.url)}`);
    state = 'connected';
    lastError = null;
  });
  // Without an 'error' listener mqtt.js's EventEmitter would throw and take the process down.
  client.on('error', (err) => {
    lastError = err.message;
  });
  client.on('offline', () => {
    if (state === 'connected') options.log.warn(`mqtt notifier: lost ${redacted(options.url)}; reconnecting`);
    if (state !== 'closed') state = 'offline';
  });

  async function sendMqtt(message: Outgoing, signal: AbortSignal): Promise<void> {
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    await connected(attempt);
    if (message.rule_id === null) {
      await publish(client, testTopic(options.topicPrefix), message.json, false, attempt);
      return;
    }
    await publish(client, eventsTopic(options.topicPrefix, message.plc_id, message.rule_id), message.json, false, attempt);
    const alarm = options.currentAlarm(message.rule_id);
    const payload = alarm === null || alarm === undefined ? '' : JSON.stringify(alarm);
    await publish(client, stateTopic(options.topicPrefix, message.plc_id, message.rule_id), payload, true, attempt);
  }

  function connected(attempt: AbortSignal): Promise<void> {
    if (client.connected) return Promise.resolve();
    const why = () => `broker not connected${lastError ? `: ${lastError}` : ''}`;
    if (state === 'closed' || attempt.aborted) return Promise.reject(abortFailure(attempt, why()));
    return new Promise((resolve, reject) => {
      const onConnect = () => {
        attempt.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        client.off('connect', onConnect);
        reject(abortFailure(attempt, why()));
      };
      client.once('connect', onConnect);
      attempt.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    send: sendMqtt,
    connection: () => state,
    async close() {
      state = 'closed';
      // force: messages in flight are not waited for; the loop's cursor has not passed them.
      await client.endAsync(true);
    },
  };
}

/** One QoS 1 publish, settled by its PUBACK; an abandoned one is taken out of mqtt.js's store. */
function publish(client: MqttClient, topic: string, payload: string, retain: boolean, attempt: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const acked = (err?: Error) => {
      if (settled) return;
      settled = true;
      attempt.removeEventListener('abort', onAbort);
      if (err) reject(new DeliveryFailure('connection', `publish to ${topic} failed: ${err.message}`));
      else resolve();
    };
    const onAbort = () => {
      if (settled) return;
      settled = true;
      forget(client, acked);
      reject(abortFailure(attempt, `no PUBACK for ${topic} in time`, 'no_ack'));
    };
    attempt.addEventListener('abort', onAbort, { once: true });
    client.publish(topic, payload, { qos: 1, retain }, acked);
  });
}

/**
 * mqtt.js keeps a QoS 1 message until it is acked and resends it after a reconnect; one we
 * gave up on would arrive later besides our retry. Its id is only known from the callback it
 * holds (`client.outgoing`); once a reconnect has re-queued it that callback is wrapped and it
 * stays: the loop's at-least-once allows that one extra copy.
 */
function forget(client: MqttClient, callback: (err?: Error) => void): void {
  for (const [id, entry] of Object.entries(client.outgoing)) {
    if (entry.cb === callback) client.removeOutgoingMessage(Number(id));
  }
}

function abortFailure(attempt: AbortSignal, message: string, code: 'not_connected' | 'no_ack' = 'not_connected'): DeliveryFailure {
  return attempt.aborted && !timedOut(attempt) ? new DeliveryFailure('aborted', 'stopped') : new DeliveryFailure(code, message);
}

function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
