import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let token: string;
beforeEach(async () => {
  t = await startRestApp();
  token = await t.login();
});
afterEach(() => t.stop());

const post = (path: string, body: unknown) => t.call('POST', path, { token, body });
const get = (path: string) => t.call('GET', path, { token });
const patch = (path: string, body: unknown) => t.call('PATCH', path, { token, body });
const del = (path: string) => t.call('DELETE', path, { token });

async function plantFixture() {
  const plc = (await post('/api/plcs', { name: 'Line 1', host: '10.0.0.5' })).json;
  const dp = (
    await post('/api/datapoints', {
      plc_id: plc.id,
      label: 'TT101',
      description: 'Compressor discharge temperature',
      area: 'holding',
      address: 10,
      type: 'float32',
      unit: '°C',
    })
  ).json;
  const rule = (
    await post('/api/rules', { datapoint_id: dp.id, name: 'TT101 high', comparison: 'above', warning_threshold: 80, alarm_threshold: 95 })
  ).json;
  return { plc, dp, rule };
}

describe('PLCs', () => {
  it('creates with SPEC defaults and reads back with a status', async () => {
    const created = await post('/api/plcs', { name: 'Line 1', host: 'plc1.local' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.any(Number),
      name: 'Line 1',
      host: 'plc1.local',
      port: 502,
      unit_id: 1,
      poll_interval_ms: 1000,
      timeout_ms: 1000,
      max_in_flight: 1,
      enabled: true,
    });
    const read = await get(`/api/plcs/${created.json.id}`);
    expect(read.json.status).toEqual({ connected: false, last_ok_at: null, last_error: null });
    expect((await get('/api/plcs')).json).toHaveLength(1);
  });

  it('patches some fields and keeps the others', async () => {
    const { plc } = await plantFixture();
    const res = await patch(`/api/plcs/${plc.id}`, { port: 5020, enabled: false });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'Line 1', host: '10.0.0.5', port: 5020, enabled: false });
  });

  it('refuses to delete a PLC with datapoints unless asked to cascade', async () => {
    const { plc, dp, rule } = await plantFixture();
    const refused = await del(`/api/plcs/${plc.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('conflict');
    expect((await del(`/api/plcs/${plc.id}?cascade=1`)).status).toBe(204);
    for (const path of [`/api/plcs/${plc.id}`, `/api/datapoints/${dp.id}`, `/api/rules/${rule.id}`]) {
      expect((await get(path)).status).toBe(404);
    }
  });

  it('gives 409 for a duplicate name', async () => {
    await post('/api/plcs', { name: 'Line 1', host: 'a' });
    const res = await post('/api/plcs', { name: 'Line 1', host: 'b' });
    expect(res.status).toBe(409);
  });

  it('enforces a poll interval of at least 50 ms', async () => {
    const res = await post('/api/plcs', { name: 'Fast', host: 'a', poll_interval_ms: 10 });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].path).toBe('poll_interval_ms');
  });

  it('takes 1 to 16 requests in flight for devices that queue them', async () => {
    const res = await post('/api/plcs', { name: 'Gateway', host: 'a', max_in_flight: 8 });
    expect(res.json.max_in_flight).toBe(8);
    for (const bad of [0, 17, 2.5]) {
      const refused = await patch(`/api/plcs/${res.json.id}`, { max_in_flight: bad });
      expect(refused.status).toBe(400);
      expect(refused.json.error.details[0].path).toBe('max_in_flight');
    }
  });
});

describe('datapoints', () => {
  it('creates with defaults and reads back with a live value', async () => {
    const { dp } = await plantFixture();
    expect(dp).toMatchObject({ word_order: 'big', scale: 1, offset: 0, unit: '°C', description: 'Compressor discharge temperature' });
    const read = await get(`/api/datapoints/${dp.id}`);
    expect(read.json.live).toMatchObject({ value: null, quality: 'bad', ts: null });
  });

  it('filters by PLC', async () => {
    const { plc } = await plantFixture();
    const other = (await post('/api/plcs', { name: 'Line 2', host: 'b' })).json;
    expect((await get(`/api/datapoints?plc_id=${plc.id}`)).json).toHaveLength(1);
    expect((await get(`/api/datapoints?plc_id=${other.id}`)).json).toHaveLength(0);
  });

  it('gives 409 for a label already used on the same PLC, but allows it on another', async () => {
    const { plc } = await plantFixture();
    const body = { plc_id: plc.id, label: 'TT101', area: 'input', address: 0, type: 'int16' };
    expect((await post('/api/datapoints', body)).status).toBe(409);
    const other = (await post('/api/plcs', { name: 'Line 2', host: 'b' })).json;
    expect((await post('/api/datapoints', { ...body, plc_id: other.id })).status).toBe(201);
  });

  it('checks fields that depend on each other, also on PATCH', async () => {
    const { plc, dp } = await plantFixture();
    const coil = await post('/api/datapoints', { plc_id: plc.id, label: 'M1', area: 'coil', address: 0, type: 'int16' });
    expect(coil.status).toBe(400);
    expect(coil.json.error.details).toEqual([expect.objectContaining({ path: 'type' })]);
    const overflow = await patch(`/api/datapoints/${dp.id}`, { address: 65535 });
    expect(overflow.status).toBe(400);
    expect(overflow.json.error.details[0].path).toBe('address');
  });

  it('refuses a datapoint on a PLC that does not exist', async () => {
    const res = await post('/api/datapoints', { plc_id: 999, label: 'X', area: 'holding', address: 0, type: 'uint16' });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].path).toBe('plc_id');
  });

  it('deletes its rules with it', async () => {
    const { dp, rule } = await plantFixture();
    expect((await del(`/api/datapoints/${dp.id}`)).status).toBe(204);
    expect((await get(`/api/rules/${rule.id}`)).status).toBe(404);
  });
});

describe('rules', () => {
  it('creates with defaults', async () => {
    const { rule } = await plantFixture();
    expect(rule).toMatchObject({
      severity: 'medium',
      deadband: 0,
      on_delay_ms: 0,
      off_delay_ms: 0,
      schedule: null,
      enabled: true,
      warning_threshold: 80,
      alarm_threshold: 95,
    });
  });

  it('stores a schedule and returns it as sent', async () => {
    const { dp } = await plantFixture();
    const schedule = { timezone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], start: '22:00', end: '06:00' }] };
    const res = await post('/api/rules', { datapoint_id: dp.id, name: 'Night', comparison: 'below', alarm_threshold: 2, schedule });
    expect(res.status).toBe(201);
    expect((await get(`/api/rules/${res.json.id}`)).json.schedule).toEqual(schedule);
  });

  const bad: [what: string, body: Record<string, unknown>, path: string][] = [
    ['no threshold', { comparison: 'above' }, 'alarm_threshold'],
    ['warning above alarm for "above"', { comparison: 'above', warning_threshold: 99, alarm_threshold: 90 }, 'warning_threshold'],
    ['unknown comparison', { comparison: 'greater', alarm_threshold: 1 }, 'comparison'],
    ['negative deadband', { comparison: 'above', alarm_threshold: 1, deadband: -1 }, 'deadband'],
    [
      'bad time zone',
      {
        comparison: 'above',
        alarm_threshold: 1,
        schedule: { timezone: 'Mars/Olympus', windows: [{ days: [1], start: '08:00', end: '17:00' }] },
      },
      'schedule.timezone',
    ],
    [
      'bad time',
      { comparison: 'above', alarm_threshold: 1, schedule: { timezone: 'UTC', windows: [{ days: [1], start: '25:00', end: '17:00' }] } },
      'schedule.windows.0.start',
    ],
    [
      'weekday 8',
      { comparison: 'above', alarm_threshold: 1, schedule: { timezone: 'UTC', windows: [{ days: [8], start: '08:00', end: '17:00' }] } },
      'schedule.windows.0.days.0',
    ],
  ];
  it.each(bad)('rejects %s with 400 naming %s', async (_what, body, path) => {
    const { dp } = await plantFixture();
    const res = await post('/api/rules', { datapoint_id: dp.id, name: 'R', ...body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
    expect(res.json.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('re-checks the merged rule on PATCH', async () => {
    const { rule } = await plantFixture();
    expect((await patch(`/api/rules/${rule.id}`, { alarm_threshold: null, warning_threshold: null })).status).toBe(400);
    const ok = await patch(`/api/rules/${rule.id}`, { enabled: false, name: 'renamed' });
    expect(ok.json).toMatchObject({ enabled: false, name: 'renamed', alarm_threshold: 95 });
  });
});

describe('bad input never breaks the server', () => {
  it('rejects wrong types, unknown and missing fields with one detail per problem', async () => {
    const res = await post('/api/plcs', { name: 5, port: 'x', colour: 'red' });
    expect(res.status).toBe(400);
    const paths = res.json.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'host', 'port', 'colour']));
  });

  it('rejects malformed JSON and empty bodies', async () => {
    for (const body of ['{"name": ', '', 'null', '[1,2]']) {
      const res = await post('/api/plcs', body);
      expect(res.status, `body ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
    }
  });

  it('rejects bodies over 1 MiB with 413', async () => {
    const res = await post('/api/plcs', { name: 'x'.repeat(1024 * 1024 + 10), host: 'a' });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
  });

  it('answers 404 for unknown ids and 400 for ids that are not ids', async () => {
    for (const path of ['/api/plcs/999', '/api/datapoints/999', '/api/rules/999', '/api/users/999']) {
      expect((await get(path)).status).toBe(404);
      expect((await patch(path, {})).status).toBe(404);
      expect((await del(path)).status).toBe(404);
    }
    const res = await get('/api/plcs/1;DROP TABLE plcs');
    expect(res.status).toBe(400);
    expect((await get('/api/nothing-here')).json.error.code).toBe('not_found');
  });

  it('rejects unknown query parameters', async () => {
    const res = await get('/api/rules?datapoint=1');
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].path).toBe('datapoint');
  });

  it('stores SQL and HTML metacharacters as plain text', async () => {
    const name = `'); DROP TABLE plcs; -- <script>alert(1)</script>`;
    const res = await post('/api/plcs', { name, host: 'a' });
    expect(res.status).toBe(201);
    expect((await get(`/api/plcs/${res.json.id}`)).json.name).toBe(name);
    expect((await get('/api/plcs')).json).toHaveLength(1);
  });

  it('never shows a stack trace', async () => {
    const res = await post('/api/plcs', '{"name":"a","host":"b","port":1e999}');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).not.toMatch(/at .*\.ts:\d+/);
  });
});
