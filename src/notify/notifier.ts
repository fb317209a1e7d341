import * as v from 'valibot';
import { ALARM_EVENT_TYPES, type AlarmEventType } from '../journal/event-types.js';
import { SEVERITIES } from '../kernel/enums.js';
import { int, name } from '../kernel/fields.js';

/** Notifier settings of SPEC 14: the schema is the type. */

export { ALARM_EVENT_TYPES, type AlarmEventType };

const DEFAULT_EVENTS: readonly AlarmEventType[] = ['alarm_state', 'alarm_ack', 'alarm_escalated'];

/** A URL whose scheme is one of `schemes` (with the colon, as `URL.protocol` has it). */
const urlOf = (schemes: readonly string[], message: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.maxLength(2048),
    v.check((s) => schemes.includes(parsedUrl(s)?.protocol ?? ''), message),
  );

function parsedUrl(s: string): URL | undefined {
  try {
    const url = new URL(s);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

// fetch refuses a URL with credentials in it, and the secret signs the body instead.
const webhookUrl = v.pipe(
  urlOf(['http:', 'https:'], 'must be an http:// or https:// URL'),
  v.check((s) => !parsedUrl(s)?.username && !parsedUrl(s)?.password, 'must not contain credentials'),
);

const brokerUrl = urlOf(['mqtt:', 'mqtts:'], 'must be an mqtt:// or mqtts:// broker URL');

const secret = v.pipe(v.string(), v.minLength(16), v.maxLength(256));

// Levels without the wildcards + and #, no empty level, and no leading $ (the broker's own topics).
const mqttTopic = v.pipe(
  v.string(),
  v.maxLength(200),
  v.regex(
    /^(?!\$)[^/#+\u0000-\u001f]+(\/[^/#+\u0000-\u001f]+)*$/u,
    'must be an MQTT topic prefix such as "plant/alarms": no wildcards, empty levels or leading $',
  ),
);

const events = v.pipe(
  v.array(v.picklist(ALARM_EVENT_TYPES)),
  v.minLength(1),
  v.transform((types) => [...new Set(types)]),
);

const common = {
  name: name(100),
  enabled: v.optional(v.boolean(), true),
  min_severity: v.optional(v.picklist(SEVERITIES), 'low'),
  events: v.optional(events, () => [...DEFAULT_EVENTS]),
  max_per_rule_per_min: v.optional(int(1, 1000), 6),
};

export const WebhookNotifierInput = v.strictObject({
  kind: v.literal('webhook'),
  url: webhookUrl,
  secret,
  ...common,
});

export const MqttNotifierInput = v.strictObject({
  kind: v.literal('mqtt'),
  url: brokerUrl,
  mqtt_topic: v.optional(mqttTopic, 'alarms'),
  ...common,
});

/** Body of `POST /api/notifiers`, with the SPEC defaults; for a PATCH parse `mergePatch(stored, body)`. */
export const NotifierInput = v.variant('kind', [WebhookNotifierInput, MqttNotifierInput]);

export type NotifierConfig = v.InferOutput<typeof NotifierInput>;
export type WebhookNotifierConfig = v.InferOutput<typeof WebhookNotifierInput>;
export type MqttNotifierConfig = v.InferOutput<typeof MqttNotifierInput>;

/** A notifier as stored. */
export type Notifier = NotifierConfig & { id: number };

/**
 * The stored settings with a PATCH body laid over them, to be parsed with NotifierInput again:
 * every field is checked as on a create, and a patch that is not an object fails that parse.
 */
export function mergePatch(stored: NotifierConfig, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  return { ...stored, ...patch };
}

/** A notifier as reads return it: the secret never, a broker password masked. */
export function notifierView<S>(n: Notifier, status: S) {
  if (n.kind === 'webhook') {
    const { secret: _secret, ...shown } = n;
    return { ...shown, status };
  }
  return { ...n, url: maskPassword(n.url), status };
}

function maskPassword(url: string): string {
  const parsed = parsedUrl(url);
  if (parsed === undefined || parsed.password === '') return url;
  parsed.password = '***';
  return parsed.toString();
}
