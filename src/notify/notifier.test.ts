import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { NotifierInput, mergePatch, notifierView, type Notifier } from './notifier.js';

const parse = (input: unknown) => v.safeParse(NotifierInput, input);
const problems = (input: unknown) => {
  const result = parse(input);
  return result.success ? [] : result.issues.map((i) => v.getDotPath(i));
};

const webhook = { kind: 'webhook', name: 'Pager', url: 'https://hooks.example.com/alarms', secret: 's'.repeat(16) };
const broker = { kind: 'mqtt', name: 'Plant bus', url: 'mqtt://127.0.0.1:1883' };

describe('NotifierInput', () => {
  it('fills the SPEC defaults of a webhook', () => {
    expect(v.parse(NotifierInput, webhook)).toEqual({
      ...webhook,
      enabled: true,
      min_severity: 'low',
      events: ['alarm_state', 'alarm_ack', 'alarm_escalated'],
      max_per_rule_per_min: 6,
    });
  });

  it('fills the SPEC defaults of an MQTT notifier, topic "alarms"', () => {
    expect(v.parse(NotifierInput, broker)).toMatchObject({ mqtt_topic: 'alarms', enabled: true, max_per_rule_per_min: 6 });
  });

  it('takes every field', () => {
    const full = {
      ...broker,
      url: 'mqtts://user:pw@broker.plant:8883',
      mqtt_topic: 'site-1/alarms',
      enabled: false,
      min_severity: 'high',
      events: ['alarm_state', 'alarm_out_of_service', 'alarm_state'],
      max_per_rule_per_min: 1,
    };
    expect(v.parse(NotifierInput, full)).toEqual({ ...full, events: ['alarm_state', 'alarm_out_of_service'] });
  });

  it.each([
    ['ftp://example.com/x', 'url'],
    ['file:///etc/passwd', 'url'],
    ['javascript:alert(1)', 'url'],
    ['not a url', 'url'],
    ['mqtt://127.0.0.1', 'url'],
    ['https://user:pw@example.com/hook', 'url'],
  ])('refuses the webhook URL %s', (url, path) => {
    expect(problems({ ...webhook, url })).toEqual([path]);
  });

  it.each(['http://127.0.0.1:9/x', 'https://example.com', ' https://example.com/a?b=1 '])('takes the webhook URL %s', (url) => {
    expect(parse({ ...webhook, url }).success).toBe(true);
  });

  it.each(['http://broker', 'ws://broker', 'tcp://broker:1883', 'mqtt://'])('refuses the broker URL %s', (url) => {
    expect(problems({ ...broker, url })).toEqual(['url']);
  });

  it.each(['a/#', 'a/+/b', '$SYS', 'a//b', '/a', 'a/', '', 'a\nb'])('refuses the topic prefix %j', (mqtt_topic) => {
    expect(problems({ ...broker, mqtt_topic })).toEqual(['mqtt_topic']);
  });

  it('needs a webhook secret of 16 to 256 characters', () => {
    const { secret: _secret, ...noSecret } = webhook;
    expect(problems(noSecret)).toEqual(['secret']);
    expect(problems({ ...webhook, secret: 'x'.repeat(15) })).toEqual(['secret']);
    expect(problems({ ...webhook, secret: 'x'.repeat(257) })).toEqual(['secret']);
    expect(problems({ ...webhook, secret: 'x'.repeat(256) })).toEqual([]);
  });

  it('refuses unknown fields, and fields of the other kind', () => {
    expect(problems({ ...webhook, color: 'red' })).toEqual(['color']);
    expect(problems({ ...webhook, mqtt_topic: 'alarms' })).toEqual(['mqtt_topic']);
    expect(problems({ ...broker, secret: 's'.repeat(16) })).toEqual(['secret']);
  });

  it('lists every problem with its path', () => {
    expect(
      problems({ ...webhook, name: '', min_severity: 'urgent', events: ['alarm_state', 'user_created'], max_per_rule_per_min: 0 }),
    ).toEqual(['name', 'min_severity', 'events.1', 'max_per_rule_per_min']);
    expect(problems({ ...webhook, events: [] })).toEqual(['events']);
  });

  it('needs a known kind', () => {
    expect(problems({ ...webhook, kind: 'email' })).toEqual(['kind']);
    expect(problems({ name: 'x' })).toEqual(['kind']);
    expect(problems('webhook')).toEqual([null]);
  });
});

describe('mergePatch', () => {
  const stored = v.parse(NotifierInput, webhook);

  it('checks the patched notifier as a whole', () => {
    expect(v.parse(NotifierInput, mergePatch(stored, { min_severity: 'high' }))).toEqual({ ...stored, min_severity: 'high' });
    expect(problems(mergePatch(stored, { url: 'gopher://x' }))).toEqual(['url']);
    expect(parse(mergePatch(stored, [1])).success).toBe(false);
  });
});

describe('notifierView', () => {
  it('never returns the secret', () => {
    const n: Notifier = { id: 1, ...v.parse(NotifierInput, webhook) };
    const view = notifierView(n, { delivered: 0 });
    expect(view).not.toHaveProperty('secret');
    expect(view).toMatchObject({ id: 1, url: webhook.url, status: { delivered: 0 } });
  });

  it('masks a password in a broker URL', () => {
    const n: Notifier = { id: 2, ...v.parse(NotifierInput, { ...broker, url: 'mqtts://plant:hunter2@broker:8883' }) };
    expect(notifierView(n, null).url).toBe('mqtts://plant:***@broker:8883');
  });
});
