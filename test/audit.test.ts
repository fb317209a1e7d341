import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestApp, type Json, type TestApp } from './helpers/test-app.js';

// SPEC 13: every config change is journaled with who made it, the ids it concerns, and for
// updates what changed.
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startRestApp();
  admin = await t.login();
});
afterAll(() => t.stop());

const history = async (query = '') =>
  (await t.call('GET', `/api/alarms/history?limit=1000${query}`, { token: admin })).json.events as Json[];

describe('config events say who changed what', () => {
  it('records the user, the ids and the changes of PLC, datapoint and rule edits, and deletes', async () => {
    const plc = (await t.call('POST', '/api/plcs', { token: admin, body: { name: 'Line 1', host: '127.0.0.1' } })).json;
    const point = (
      await t.call('POST', '/api/datapoints', {
        token: admin,
        body: { plc_id: plc.id, label: 'TT1', area: 'holding', address: 0, type: 'uint16' },
      })
    ).json;
    const rule = (
      await t.call('POST', '/api/rules', {
        token: admin,
        body: { datapoint_id: point.id, name: 'Hot', severity: 'high', comparison: 'above', alarm_threshold: 50 },
      })
    ).json;
    await t.call('PATCH', `/api/rules/${rule.id}`, { token: admin, body: { alarm_threshold: 60, name: 'Too hot' } });
    await t.call('PATCH', `/api/plcs/${plc.id}`, { token: admin, body: { poll_interval_ms: 500 } });
    await t.call('DELETE', `/api/plcs/${plc.id}?cascade=1`, { token: admin });

    const config = (await history()).filter((e) => e.topic === 'config');
    expect(config.map((e) => e.type)).toEqual([
      'plc_created',
      'datapoint_created',
      'rule_created',
      'rule_updated',
      'plc_updated',
      'rule_deleted',
      'datapoint_deleted',
      'plc_deleted',
    ]);
    for (const e of config) expect(e.user, e.type).toBe('admin');
    const [plcCreated, pointCreated, ruleCreated, ruleUpdated, plcUpdated, ruleDeleted] = config;
    expect(plcCreated).toMatchObject({ plc_id: plc.id, plc: { name: 'Line 1' } });
    expect(pointCreated).toMatchObject({ datapoint_id: point.id, plc_id: plc.id });
    expect(ruleCreated).toMatchObject({ rule_id: rule.id, datapoint_id: point.id, plc_id: plc.id, rule: { name: 'Hot' } });
    expect(ruleUpdated.changes).toEqual({ name: ['Hot', 'Too hot'], alarm_threshold: [50, 60] });
    expect(ruleUpdated.rule).toMatchObject({ name: 'Too hot', alarm_threshold: 60 });
    expect(plcUpdated.changes).toEqual({ poll_interval_ms: [1000, 500] });
    expect(ruleDeleted).toMatchObject({ rule_id: rule.id, plc_id: plc.id, user: 'admin' });
    expect(ruleCreated.changes).toBeUndefined();

    // A rule's history has its config events too.
    const ofRule = await history(`&rule_id=${rule.id}`);
    expect(ofRule.map((e) => e.type)).toEqual(['rule_created', 'rule_updated', 'rule_deleted']);
  });

  it('names the admin who changed a notifier, and never its secret', async () => {
    const other = await t.userWithRole('admin', admin);
    const made = await t.call('POST', '/api/notifiers', {
      token: other,
      body: { kind: 'webhook', name: 'pager', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-chars+' },
    });
    expect(made.status).toBe(201);
    await t.call('PATCH', `/api/notifiers/${made.json.id}`, { token: admin, body: { min_severity: 'high' } });
    const events = (await history()).filter((e) => e.type.startsWith('notifier_'));
    expect(events.map((e) => [e.type, e.user])).toEqual([
      ['notifier_created', expect.stringMatching(/^admin-/)],
      ['notifier_updated', 'admin'],
    ]);
    expect(events[1].changes).toEqual({ min_severity: ['low', 'high'] });
    expect(JSON.stringify(events)).not.toContain('a-secret-of-16-chars+');
  });
});
