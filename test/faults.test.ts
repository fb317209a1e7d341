import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteHandle, type Db } from '../src/db/database.js';
import { journalRange } from '../src/journal/events.js';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { wsClient, type WsClient } from './helpers/stream-clients.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

// SPEC 10: a full disk never stops the server. Transitions are held, in order, while the journal
// cannot be written; nothing reaches a stream before it is journaled; /healthz says so; and once
// there is space again every event arrives, in order, with no gap in ids. The disk is filled for
// real: SQLite's max_page_count pinned to the file's size fails every write that needs a new page.
let sim: Simulator;
let t: TestApp | undefined;
let c: WsClient | undefined;
let dir: string;
beforeEach(async () => {
  sim = await createSimulator();
  dir = mkdtempSync(join(tmpdir(), 'alarms-faults-'));
});
afterEach(async () => {
  c?.ws.terminate();
  c = undefined;
  await t?.stop();
  t = undefined;
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const pragma = (db: Db, sql: string) => sqliteHandle(db).prepare(`pragma ${sql}`).get() as Record<string, number>;
const hasValue = (v: number) => (m: { [k: string]: any }) => (m.values as { value: number }[]).some((x) => x.value === v);

describe('a full disk under the journal', () => {
  it('holds events in order, answers 503, streams nothing unjournaled, and delivers everything once there is space', async () => {
    t = await startTestApp({ DATABASE: join(dir, 'alarms.sqlite') });
    const app = t;
    const token = await app.login();
    const post = async (path: string, body: unknown) => (await app.call('POST', path, { token, body })).json;
    sim.setFloat32('holding', 0, 20);
    c = wsClient(`${app.app.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
    const snapshot = await c.next('snapshot');
    const plc = await post('/api/plcs', { name: 'Sim', host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: 300 });
    const dp = await post('/api/datapoints', { plc_id: plc.id, label: 'TT1', area: 'holding', address: 0, type: 'float32' });
    const rule = await post('/api/rules', {
      datapoint_id: dp.id,
      name: 'Oven hot',
      comparison: 'above',
      warning_threshold: 80,
      alarm_threshold: 100,
    });
    await c.next('values', hasValue(20));

    // Fill the disk: large events until one does not fit. It and everything after it are held.
    pragma(app.app.db, `max_page_count = ${pragma(app.app.db, 'page_count').page_count}`);
    for (let i = 0; i < 100 && (await app.call('GET', '/healthz')).status === 200; i++) {
      void app.app.journal.append([{ topic: 'system', type: 'filler', payload: { pad: 'x'.repeat(3000) } }]);
    }
    const health = await app.call('GET', '/healthz');
    expect(health).toMatchObject({ status: 503, json: { status: 'degraded', reason: 'database or disk is full' } });
    const journaled = (await journalRange(app.app.db)).last;

    // Three transitions, each made by the engine (seen on the unjournaled `values` topic) and held.
    for (const value of [105, 90, 20]) {
      sim.setFloat32('holding', 0, value);
      await c.next('values', hasValue(value));
      if (value === 105) {
        const active = await app.call('GET', '/api/alarms/active', { token });
        expect(active.json.active).toEqual([expect.objectContaining({ rule_id: rule.id, state: 'ALARM', acked: false })]);
      }
    }
    const ack = await app.call('POST', `/api/alarms/${rule.id}/ack`, { token });
    expect(ack).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    expect(Number(ack.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await app.call('GET', '/api/alarms/active', { token })).json.active).toEqual([expect.objectContaining({ acked: false })]);
    const edit = await app.call('PATCH', `/api/rules/${rule.id}`, { token, body: { deadband: 1 } });
    expect(edit).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    expect(edit.headers.get('retry-after')).not.toBeNull();
    expect((await journalRange(app.app.db)).last).toBe(journaled);
    expect(c.inbox.all.filter((m) => m.id > journaled)).toEqual([]);

    // Space again: the retry commits the held events, in the order they happened.
    pragma(app.app.db, 'max_page_count = 1000000');
    await c.inbox.next((m) => m.type === 'alarm_state' && m.state === 'OK', 'the held return to OK', 10_000);
    expect(await app.call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    const held = c.inbox.all.filter((m) => m.id > journaled);
    expect(held.map((m) => m.state ?? m.type)).toEqual(['filler', 'ALARM', 'WARNING', 'OK']);

    const streamed = c.inbox.all.filter((m) => typeof m.id === 'number').map((m) => m.id as number);
    expect(streamed).toEqual(streamed.map((_, i) => snapshot.last_event_id + 1 + i)); // in order, no gap
    const history = await app.call('GET', `/api/alarms/history?after_id=${snapshot.last_event_id}&limit=1000`, { token });
    expect(history.json.events.map((e: { id: number }) => e.id)).toEqual(streamed);

    // Writable again: the operator's ack now goes through.
    expect((await app.call('POST', `/api/alarms/${rule.id}/ack`, { token })).status).toBe(200);
    await c.next('alarm_ack');
  });
});
