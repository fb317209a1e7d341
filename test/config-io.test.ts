import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { fakePoller } from './helpers/fake-poller.js';
import { startRestApp, type Json, type TestApp } from './helpers/test-app.js';

// Config as files over REST (README, "Config as files"): GET /api/config and PUT /api/config,
// all or nothing, journaled as the REST CRUD journals. Values come from a stand-in poller, time
// from a manual clock.
const clock = manualClock();
const poller = fakePoller(clock.now);

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startRestApp({}, { clock, poller: poller.create });
  admin = await t.login();
});
afterAll(() => t.stop());

const SECRET = 'webhook-secret-0123456789';

const plantFile = (): Json => ({
  version: 1,
  plcs: [
    {
      name: 'Line 1',
      host: '127.0.0.1',
      poll_interval_ms: 500,
      datapoints: [
        { label: 'TT1', description: 'oven temperature', area: 'holding', address: 0, type: 'uint16', unit: '°C' },
        { label: 'RUN', area: 'coil', address: 0, type: 'bool' },
      ],
    },
  ],
  rules: [
    {
      name: 'Oven hot',
      datapoint: 'Line 1/TT1',
      severity: 'high',
      comparison: 'above',
      warning_threshold: 80,
      alarm_threshold: 100,
      suppress_when: { datapoint: 'Line 1/RUN', comparison: 'equal', value: 0 },
      escalate_after_s: 600,
    },
    {
      name: 'Oven cold',
      datapoint: 'Line 1/TT1',
      comparison: 'below',
      alarm_threshold: 10,
      schedule: { timezone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], start: '06:00', end: '22:00' }] },
    },
  ],
  notifiers: [{ name: 'pager', kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: SECRET, min_severity: 'high' }],
});

const put = (body: unknown, query = '', token = admin) => t.call('PUT', `/api/config${query}`, { token, body });
const configEvents = async (): Promise<Json[]> => {
  await t.app.journal.idle();
  return (await t.call('GET', '/api/alarms/history?limit=1000', { token: admin })).json.events.filter((e: Json) => e.topic === 'config');
};
const plcs = async () => (await t.call('GET', '/api/plcs', { token: admin })).json as Json[];

describe('who may', () => {
  it('takes alarms:admin: an operator is refused (403) before the body is read, no token is 401', async () => {
    const operator = await t.userWithRole('operator', admin);
    expect((await t.call('GET', '/api/config', { token: operator })).status).toBe(403);
    const refused = await put(plantFile(), '?dry_run=1', operator);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    expect((await t.call('GET', '/api/config')).status).toBe(401);
  });
});

describe('nothing is applied unless everything is', () => {
  it('a dry run answers the plan and changes nothing', async () => {
    const res = await put(plantFile(), '?dry_run=1');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ dry_run: true, prune: false, summary: { create: 6, update: 0, delete: 0, unchanged: 0 } });
    expect(res.json.changes.map((c: Json) => `${c.action} ${c.resource} ${c.name}`)).toEqual([
      'create plc Line 1',
      'create datapoint Line 1/TT1',
      'create datapoint Line 1/RUN',
      'create rule Oven hot',
      'create rule Oven cold',
      'create notifier pager',
    ]);
    expect(await plcs()).toEqual([]);
    expect(await configEvents()).toEqual([]);
  });

  it('a bad file is a 400 with a path per problem, a late one (a rule naming a missing datapoint) too', async () => {
    const wrongType = plantFile();
    wrongType.rules[1].severity = 'urgent';
    const typed = await put(wrongType);
    expect(typed.status).toBe(400);
    expect(typed.json.error.details.map((d: Json) => d.path)).toEqual(['rules.1.severity']);

    const late = plantFile();
    late.rules.push({ name: 'Lost', datapoint: 'Line 1/TT9', comparison: 'above', alarm_threshold: 1 });
    const missing = await put(late);
    expect(missing.status).toBe(400);
    expect(missing.json.error.details).toEqual([{ path: 'rules.2.datapoint', message: expect.stringContaining('Line 1/TT9') }]);

    expect((await t.call('PUT', '/api/config', { token: admin, body: '{"version":1,' })).status).toBe(400);
    expect((await put(plantFile(), '?dry_run=yes')).status).toBe(400);
    expect((await put(plantFile(), '?force=1')).status).toBe(400);
    expect(await plcs()).toEqual([]);
    expect(await configEvents()).toEqual([]);
  });

  it('a write the database refuses half-way rolls the whole import back', async () => {
    // The last rule's insert fails after the PLC, the datapoints and the first rule are written.
    await sql`create trigger refuse_cold before insert on rules when new.name = 'Oven cold' begin select raise(abort, 'refused by the test'); end`.execute(
      t.app.db,
    );
    try {
      const res = await put(plantFile());
      expect(res.status).toBe(500);
    } finally {
      await sql`drop trigger refuse_cold`.execute(t.app.db);
    }
    expect(await plcs()).toEqual([]);
    expect((await t.call('GET', '/api/rules', { token: admin })).json).toEqual([]);
    expect(await configEvents()).toEqual([]);
  });
});

describe('an import', () => {
  it('applies the file in one go, with the config events the REST API journals, naming the admin', async () => {
    const res = await put(plantFile());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ dry_run: false, summary: { create: 6, update: 0, delete: 0, unchanged: 0 } });

    const events = await configEvents();
    expect(events.map((e) => e.type)).toEqual([
      'plc_created',
      'datapoint_created',
      'datapoint_created',
      'rule_created',
      'rule_created',
      'notifier_created',
    ]);
    for (const e of events) expect(e.user, e.type).toBe('admin');
    const [plc] = await plcs();
    const points = (await t.call('GET', `/api/datapoints?plc_id=${plc.id}`, { token: admin })).json as Json[];
    const [tt1, run] = points;
    const hot = events[3];
    expect(hot).toMatchObject({
      rule_id: hot.rule.id,
      datapoint_id: tt1.id,
      plc_id: plc.id,
      rule: {
        name: 'Oven hot',
        datapoint_id: tt1.id,
        suppress_when: { datapoint_id: run.id, comparison: 'equal', value: 0 },
        escalate_after_s: 600,
      },
    });
    expect(events[1]).toMatchObject({ datapoint_id: tt1.id, plc_id: plc.id, datapoint: { label: 'TT1', unit: '°C' } });
    expect(events[5]).toMatchObject({ notifier: { name: 'pager', min_severity: 'high' } });
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it('hands the rules to the engine before it answers: values raise the imported alarms', async () => {
    const [plc] = await plcs();
    const [tt1, run] = (await t.call('GET', `/api/datapoints?plc_id=${plc.id}`, { token: admin })).json as Json[];
    poller.poll(plc.id, { [tt1.id]: 120, [run.id]: 1 });
    const active = (await t.call('GET', '/api/alarms/active', { token: admin })).json.active as Json[];
    expect(active.map((a) => [a.rule_name, a.state])).toEqual([['Oven hot', 'ALARM']]);
  });

  it('of the same file changes nothing; an edited one journals the update with its changes', async () => {
    const before = (await configEvents()).length;
    const same = await put(plantFile());
    expect(same.json.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 6 });
    expect(await configEvents()).toHaveLength(before);

    const edited = plantFile();
    edited.rules[0].alarm_threshold = 110;
    const res = await put(edited);
    expect(res.json.changes).toEqual([
      {
        action: 'update',
        resource: 'rule',
        name: 'Oven hot',
        datapoint: 'Line 1/TT1',
        id: expect.any(Number),
        changes: { alarm_threshold: [100, 110] },
      },
    ]);
    const updated = (await configEvents()).at(-1);
    expect(updated).toMatchObject({ type: 'rule_updated', user: 'admin', changes: { alarm_threshold: [100, 110] } });
  });

  it('exports a file that imports into a fresh server and exports again the same', async () => {
    const exported = (await t.call('GET', '/api/config', { token: admin })).json;
    expect(exported.notifiers).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    expect(exported.rules[0]).toMatchObject({ name: 'Oven hot', datapoint: 'Line 1/TT1', suppress_when: { datapoint: 'Line 1/RUN' } });
    expect((await put(exported)).json.summary.update).toBe(0); // the stored secret is kept

    const fresh = await startRestApp();
    try {
      const token = await fresh.login();
      const withoutSecret = await fresh.call('PUT', '/api/config', { token, body: exported });
      expect(withoutSecret.json.error.details).toEqual([{ path: 'notifiers.0.secret', message: expect.stringContaining('required') }]);
      const withSecret = { ...exported, notifiers: [{ ...exported.notifiers[0], secret: SECRET }] };
      expect((await fresh.call('PUT', '/api/config', { token, body: withSecret })).status).toBe(200);
      expect((await fresh.call('GET', '/api/config', { token })).json).toEqual(exported);
    } finally {
      await fresh.stop();
    }
  });

  it('with prune=1 deletes what its sections leave out, rules with their datapoint; a section left out is left alone', async () => {
    const file = plantFile();
    file.plcs[0].datapoints.pop(); // RUN
    file.rules.pop(); // Oven cold
    file.rules[0].alarm_threshold = 110;
    file.rules[0].suppress_when = null;
    delete file.notifiers;
    const before = (await configEvents()).length;
    const res = await put(file, '?prune=1');
    expect(res.status).toBe(200);
    expect(res.json.changes.map((c: Json) => `${c.action} ${c.resource} ${c.name}`)).toEqual([
      'delete rule Oven cold',
      'delete datapoint Line 1/RUN',
      'update rule Oven hot',
    ]);
    const events = (await configEvents()).slice(before);
    expect(events.map((e) => [e.type, e.user])).toEqual([
      ['rule_deleted', 'admin'],
      ['datapoint_deleted', 'admin'],
      ['rule_updated', 'admin'],
    ]);
    expect((await t.call('GET', '/api/notifiers', { token: admin })).json).toHaveLength(1);
  });
});

describe('size', () => {
  it('takes a plant file over the API-wide 1 MiB, and refuses one over 32 MiB with 413', async () => {
    const description = 'x'.repeat(490);
    const datapoints = Array.from({ length: 2500 }, (_, i) => ({
      label: `P${i}`,
      description,
      area: 'holding',
      address: i,
      type: 'uint16',
    }));
    const big = { version: 1, plcs: [{ name: 'Big', host: '127.0.0.1', datapoints }] };
    expect(JSON.stringify(big).length).toBeGreaterThan(1024 * 1024);
    const taken = await put(big, '?dry_run=1');
    expect(taken.status).toBe(200);
    expect(taken.json.summary.create).toBe(2501);

    const huge = `{"version":1,"pad":"${'x'.repeat(33 * 1024 * 1024)}"}`;
    const refused = await put(huge, '?dry_run=1');
    expect(refused.status).toBe(413);
    expect(refused.json.error.code).toBe('payload_too_large');
  });
});
