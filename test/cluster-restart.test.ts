import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AlarmClient, type JournalEvent } from '../public/client/alarm-client.js';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { startNode, until, type ClusterNodeProcess, type Json } from './helpers/cluster-nodes.js';
import { privatePostgres } from './helpers/private-postgres.js';
import { takeTurns } from './helpers/one-at-a-time.js';

// SPEC 12: PostgreSQL itself restarted (a fast shutdown ends every session, then it comes back)
// under two running nodes. They recover by themselves, and a client loses nothing and sees
// nothing twice. The server is this file's own, so stopping it disturbs no other test.
let pg: Awaited<ReturnType<typeof privatePostgres>>;
let sim: Simulator;
let nodes: ClusterNodeProcess[] = [];
let client: AlarmClient | undefined;

// One cluster suite at a time: each starts several server processes.
takeTurns('cluster');

beforeAll(async () => {
  pg = await privatePostgres();
  sim = await createSimulator();
  nodes = await Promise.all(['a', 'b'].map((name) => startNode(pg.url, name)));
}, 60_000);

afterAll(async () => {
  client?.close();
  for (const n of nodes) n.kill();
  await Promise.all(nodes.map((n) => n.exited));
  await sim.close();
  await pg.destroy();
}, 30_000);

const health = async (n: ClusterNodeProcess) => (await fetch(`${n.url}/healthz`)).status;

describe('PostgreSQL restarted under a running cluster', { timeout: 60_000 }, () => {
  it('recovers by itself, and its clients get every transition once, in order', async () => {
    const [a, b] = nodes as [ClusterNodeProcess, ClusterNodeProcess];
    const token = await a.login();
    const plc = (await a.call('POST', '/api/plcs', { token, body: { name: 'P1', host: sim.host, port: sim.port, poll_interval_ms: 100 } }))
      .json;
    const point = (
      await a.call('POST', '/api/datapoints', {
        token,
        body: { plc_id: plc.id, label: 'LT1', area: 'holding', address: 1, type: 'uint16' },
      })
    ).json;
    const rule = (
      await a.call('POST', '/api/rules', {
        token,
        body: { datapoint_id: point.id, name: 'high', comparison: 'above', alarm_threshold: 50 },
      })
    ).json;

    // A client of node b, which may not be the PLC's owner: it resumes by itself when cut off.
    const events: JournalEvent[] = [];
    client = new AlarmClient({ baseUrl: b.url, getToken: () => token, WebSocket, topics: ['alarms'], random: () => 0 });
    client.on('event', (e) => events.push(e));
    const states = () => events.filter((e) => e.type === 'alarm_state' && e['rule_id'] === rule.id).map((e) => e['state']);
    // Live before the first change: a client that connects later starts from a snapshot of the
    // active list, and the transition before it is not an event it receives.
    const live = new Promise((resolve) => client!.on('snapshot', resolve));
    client.connect();
    await live;

    sim.setHolding(1, 99);
    await until(
      'the alarm before the restart',
      async () => states(),
      (s) => s.includes('ALARM'),
    );

    await pg.stop();
    for (const n of nodes)
      await until(
        `${n.name} to say it cannot reach the database`,
        () => health(n),
        (s) => s === 503,
      );
    sim.setHolding(1, 10); // back to normal while the database is away
    await pg.start();

    for (const n of nodes)
      await until(
        `${n.name} healthy again`,
        () => health(n),
        (s) => s === 200,
      );
    await until(
      'the return to normal, after the restart',
      async () => states(),
      (s) => s.at(-1) === 'OK',
    );
    sim.setHolding(1, 99);
    await until(
      'an alarm after the restart',
      async () => states(),
      (s) => s.length === 3,
    ).catch((err) => {
      console.log(
        JSON.stringify(
          events.filter((e) => e.type === 'alarm_state').map((e) => [e.id, e['state'], e['previous_state'], e['reason'], e.ts]),
        ),
      );
      for (const n of nodes) console.log(n.name, n.lines.join('\n'));
      throw err;
    });

    expect(states()).toEqual(['ALARM', 'OK', 'ALARM']);
    // One node polls the PLC after the restart: the other's reads stand still while the owner's go on.
    const reads = async (n: ClusterNodeProcess) =>
      ((await n.call('GET', '/api/stats', { token })).json.plcs.find((p: Json) => p.plc_id === plc.id)?.reads ?? 0) as number;
    const owner = (await a.call('GET', '/api/cluster', { token })).json.nodes.find((n: Json) => n.plc_ids.includes(plc.id)).name;
    const [polling, idle] = owner === 'a' ? [a, b] : [b, a];
    const idleBefore = await reads(idle);
    const pollingBefore = await reads(polling);
    await until(
      'five more polls by the owner',
      () => reads(polling),
      (r) => r >= pollingBefore + 5,
    );
    // (A node that let the PLC go drops its figures at its next reload: fewer is not more polling.)
    expect(await reads(idle)).toBeLessThanOrEqual(idleBefore);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    // The journal, read on the other node, says the same.
    const history = await a.call('GET', `/api/alarms/history?rule_id=${rule.id}&type=alarm_state`, { token });
    const journaled = history.json.events.map((e: Json) => e.state);
    expect(journaled.slice(journaled.indexOf('ALARM'))).toEqual(['ALARM', 'OK', 'ALARM']);
  });
});
