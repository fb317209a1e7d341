import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { wsClient } from './helpers/stream-clients.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

/** One histogram's samples in the Prometheus text: `le` labels with their counts, the sum and the count. */
function histogramIn(text: string, name: string) {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))].map(
    (m) => [m[1], Number(m[2])] as const,
  );
  const sample = (suffix: string) => Number(text.match(new RegExp(`^${name}_${suffix} (\\S+)$`, 'm'))?.[1]);
  return { buckets, sum: sample('sum'), count: sample('count') };
}

let t: TestApp | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  await t?.stop();
  await sim?.close();
  t = sim = undefined;
});

describe('operations', () => {
  it('reports connections, events, poll figures, round trips and evaluations as JSON and Prometheus text', async () => {
    sim = await createSimulator();
    t = await startTestApp();
    const token = await t.login();
    const c = wsClient(`${t.app.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await c.next('snapshot');
    const plc = (await t.call('POST', '/api/plcs', { token, body: { name: 'S', host: sim.host, port: sim.port, poll_interval_ms: 50 } }))
      .json;
    const dp = (
      await t.call('POST', '/api/datapoints', { token, body: { plc_id: plc.id, label: 'X', area: 'holding', address: 0, type: 'uint16' } })
    ).json;
    await t.call('POST', '/api/rules', { token, body: { datapoint_id: dp.id, name: 'X high', comparison: 'above', alarm_threshold: 10 } });
    sim.setHolding(0, 11);
    await c.next('alarm_state', (m) => m.state === 'ALARM');

    const stats = (await t.call('GET', '/api/stats', { token })).json;
    expect(stats.connections).toEqual({ by_transport: { ws: 1, sse: 0 }, by_user: { admin: 1 } });
    expect(stats.events.published).toBeGreaterThanOrEqual(4);
    expect(stats.events.delivered).toBeGreaterThanOrEqual(4);
    expect(stats.rules.evaluations).toBeGreaterThan(0);
    // Poll figures arrive with the worker's heartbeat; their shape is there from the start.
    expect(Array.isArray(stats.plcs)).toBe(true);

    const metrics = await t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^alarm_server_connections\{transport="ws"\} 1$/m);
    expect(text).toMatch(/^alarm_server_user_connections\{user="admin"\} 1$/m);
    expect(text).toMatch(/^# TYPE alarm_server_events_published_total counter$/m);
    expect(text).toMatch(/^alarm_server_rule_evaluations_total [1-9]\d*$/m);

    // The worker's Modbus round trips come with the values they read, so the reads behind the
    // ALARM above are counted by now; each one answers a request the simulator received.
    expect(text).toMatch(/^# TYPE alarm_server_poll_round_trip_seconds histogram$/m);
    const roundTrips = histogramIn(text, 'alarm_server_poll_round_trip_seconds');
    expect(roundTrips.count).toBeGreaterThan(0);
    expect(roundTrips.count).toBeLessThanOrEqual(sim.stats().requests);
    expect(roundTrips.sum).toBeGreaterThan(0);
    const les = '0.0001 0.00025 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf';
    expect(roundTrips.buckets.map(([le]) => le)).toEqual(les.split(' '));
    const cumulative = roundTrips.buckets.map(([, n]) => n);
    expect(cumulative).toEqual([...cumulative].sort((a, b) => a - b));
    // On loopback every reply is in well within a second.
    expect(roundTrips.buckets.find(([le]) => le === '1')?.[1]).toBe(roundTrips.count);
    expect(cumulative.at(-1)).toBe(roundTrips.count);
    c.ws.terminate();
  });

  it('keeps stats and metrics for alarms:admin', async () => {
    t = await startTestApp();
    const viewer = await t.userWithRole('viewer', await t.login());
    expect((await t.call('GET', '/api/stats', { token: viewer })).status).toBe(403);
    expect((await t.call('GET', '/metrics', { token: viewer })).status).toBe(403);
    expect((await t.call('GET', '/metrics')).status).toBe(401);
  });
});
