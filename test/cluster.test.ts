import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { startNode, until, type ClusterNodeProcess, type Json } from './helpers/cluster-nodes.js';
import { ADMIN_URL, freshPostgres } from './helpers/postgres.js';
import { sseClient, wsClient, type Msg, type SseClient, type WsClient } from './helpers/stream-clients.js';
import { takeTurns } from './helpers/one-at-a-time.js';

// Three nodes as real processes on one fresh PostgreSQL database (SPEC 12), polling PLCs on a
// real Modbus TCP simulator. The tests run in order, on one cluster that loses nodes as it goes.
let database: { url: string; drop(): Promise<void> };
let sim: Simulator;
let nodes: ClusterNodeProcess[] = [];
let token: string;
const clients: { ws: WsClient[]; sse: SseClient[] } = { ws: [], sse: [] };
const plant: { plcs: Json[]; points: Json[]; rules: Json[] } = { plcs: [], points: [], rules: [] };

// One cluster suite at a time: each starts several server processes.
takeTurns('cluster');

beforeAll(async () => {
  database = await freshPostgres();
  sim = await createSimulator();
  // All at the same moment: the migrations run once, under a lock.
  nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(database.url, name)));
  token = await nodes[0]!.login();
}, 60_000);

afterAll(async () => {
  for (const c of clients.ws) c.ws.terminate();
  for (const c of clients.sse) c.close();
  for (const n of nodes) n.kill();
  await Promise.all(nodes.map((n) => n.exited));
  await sim.close();
  await database.drop();
}, 30_000);

const live = () => nodes.filter((n) => n.exitCode === undefined);
const node = (name: string) => nodes.find((n) => n.name === name)!;

/** The node's view of the cluster; while it cannot answer (a 503 as it reconnects), no nodes, and why. */
const clusterOf = async (n: ClusterNodeProcess) => {
  const res = await n.call('GET', '/api/cluster', { token });
  return res.status === 200 ? res.json : { nodes: [], status: res.status, error: res.json };
};
/** The name of the node that polls the PLC, once exactly one does. */
async function ownerOf(plcId: number, askVia: ClusterNodeProcess): Promise<string> {
  const view = await until(
    `PLC ${plcId} to have one owner`,
    () => clusterOf(askVia),
    (c) => c.nodes.filter((n: Json) => n.plc_ids.includes(plcId)).length === 1,
  );
  return view.nodes.find((n: Json) => n.plc_ids.includes(plcId)).name;
}

function stream(n: ClusterNodeProcess, query = ''): WsClient {
  const c = wsClient(`${n.ws}/ws${query}`, { headers: { authorization: `Bearer ${token}` } });
  clients.ws.push(c);
  return c;
}

const isAlarm = (ruleId: number, state: string) => (m: Msg) => m.type === 'alarm_state' && m.rule_id === ruleId && m.state === state;

// Three processes and PostgreSQL on two cores, beside the rest of the suite: slower than one app.
describe('a cluster of three nodes on PostgreSQL', { timeout: 60_000 }, () => {
  it('starts together on one fresh database and lists every live node', async () => {
    const view = await until(
      'three nodes',
      () => clusterOf(node('b')),
      (c) => c.nodes.length === 3,
    );
    expect(view.self).toBe('b');
    expect(view.nodes.map((n: Json) => n.name)).toEqual(['a', 'b', 'c']);
    for (const n of view.nodes) {
      expect(Date.parse(n.started_at)).toBeGreaterThan(0);
      expect(Date.parse(n.last_seen)).toBeGreaterThanOrEqual(Date.parse(n.started_at));
    }
    expect((await fetch(`${node('c').url}/healthz`)).status).toBe(200);
    // the token node a signed works on the others: one JWT secret for the cluster
    expect((await node('c').call('GET', '/api/auth/me', { token })).status).toBe(200);
  });

  it('takes a ticket from one node on another, once', async () => {
    const { json } = await node('a').call('POST', '/api/auth/ticket', { token });
    const sse = await sseClient(`${node('b').url}/sse?ticket=${json.ticket}`);
    clients.sse.push(sse);
    expect(sse.response.status).toBe(200);
    await sse.next('snapshot');
    const again = await fetch(`${node('c').url}/sse?ticket=${json.ticket}`);
    expect(again.status).toBe(401);
    await again.body?.cancel();
  });

  it('polls each PLC on exactly one node, sharing them out', async () => {
    for (let i = 0; i < 3; i++) {
      sim.setHolding(i, 10);
      const plc = await node('a').call('POST', '/api/plcs', {
        token,
        body: { name: `P${i}`, host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: 500 },
      });
      expect(plc.status).toBe(201);
      const point = await node('b').call('POST', '/api/datapoints', {
        token,
        body: { plc_id: plc.json.id, label: `LT${i}`, area: 'holding', address: i, type: 'uint16' },
      });
      const rule = await node('c').call('POST', '/api/rules', {
        token,
        body: { datapoint_id: point.json.id, name: `Level ${i} high`, severity: 'high', comparison: 'above', alarm_threshold: 50 },
      });
      expect(rule.status).toBe(201);
      plant.plcs.push(plc.json), plant.points.push(point.json), plant.rules.push(rule.json);
    }
    const ids = plant.plcs.map((p) => p.id);
    const view = await until(
      'every PLC owned once',
      () => clusterOf(node('a')),
      (c) => ids.every((id) => c.nodes.filter((n: Json) => n.plc_ids.includes(id)).length === 1),
    );
    // three PLCs, three nodes: one each
    expect(view.nodes.map((n: Json) => n.plc_ids.length)).toEqual([1, 1, 1]);
  });

  it('streams the same events, with the same ids, on every node over WS and SSE', async () => {
    const [a, b, c] = [stream(node('a')), stream(node('b')), stream(node('c'))];
    await Promise.all([a, b, c].map((s) => s.next('snapshot')));
    const rule = plant.rules[0]!;
    sim.setHolding(0, 80);
    const seen = await Promise.all([a, b, c].map((s) => s.inbox.next(isAlarm(rule.id, 'ALARM'), 'ALARM on every node')));
    expect(new Set(seen.map((m) => m.id)).size).toBe(1);
    expect(seen[0]).toMatchObject({ rule_id: rule.id, plc_id: plant.plcs[0]!.id, value: 80, previous_state: 'OK' });
    const overSse = await clients.sse[0]!.next('alarm_state', (m) => m.data.rule_id === rule.id && m.data.state === 'ALARM');
    expect(Number(overSse.id)).toBe(seen[0]!.id);
    // live values of a PLC another node polls reach this node's clients too
    await c.next('values', (m) => m.values.some((v: Json) => v.datapoint_id === plant.points[0]!.id && v.value === 80));
    await a.next('values', (m) => m.values.some((v: Json) => v.datapoint_id === plant.points[0]!.id && v.value === 80));
  });

  it('acks on a node that does not poll the alarm, and every node hears it', async () => {
    const rule = plant.rules[0]!;
    const owner = await ownerOf(plant.plcs[0]!.id, node('a'));
    const other = live().find((n) => n.name !== owner)!;
    const res = await other.call('POST', `/api/alarms/${rule.id}/ack`, { token, body: { comment: 'seen from afar' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ rule_id: rule.id, state: 'ALARM', acked: true });
    const acks = await Promise.all(clients.ws.slice(0, 3).map((s) => s.next('alarm_ack', (m) => m.rule_id === rule.id)));
    expect(new Set(acks.map((m) => m.id)).size).toBe(1);
    expect(acks[0]).toMatchObject({ user: 'admin', comment: 'seen from afar' });
    // and the list every node answers shows it acked
    for (const n of live()) {
      const list = await n.call('GET', '/api/alarms/active', { token });
      expect(
        list.json.active.find((x: Json) => x.rule_id === rule.id),
        n.name,
      ).toMatchObject({ acked: true, state: 'ALARM' });
    }
    expect((await other.call('POST', '/api/alarms/999999/ack', { token })).status).toBe(404);
  });

  it('takes an alarm out of service from a node that does not poll it; every node lists it; and back', async () => {
    const rule = plant.rules[0]!;
    const owner = await ownerOf(plant.plcs[0]!.id, node('a'));
    const other = live().find((n) => n.name !== owner)!;
    const out = await other.call('POST', `/api/alarms/${rule.id}/out-of-service`, { token, body: { comment: 'TT sheared' } });
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ rule_id: rule.id, state: 'OK' });
    await Promise.all(clients.ws.slice(0, 3).map((s) => s.next('alarm_out_of_service', (m) => m.rule_id === rule.id)));
    for (const n of live()) {
      const listed = (await n.call('GET', '/api/alarms/out-of-service', { token })).json.out_of_service;
      expect(
        listed.map((x: Json) => [x.rule_id, x.user, x.comment]),
        n.name,
      ).toEqual([[rule.id, 'admin', 'TT sheared']]);
      const active = (await n.call('GET', '/api/alarms/active', { token })).json.active;
      expect(
        active.some((x: Json) => x.rule_id === rule.id),
        n.name,
      ).toBe(false);
    }
    const back = await other.call('DELETE', `/api/alarms/${rule.id}/out-of-service`, { token });
    expect(back.json).toMatchObject({ rule_id: rule.id, state: 'ALARM', acked: false }); // evaluated at once on its owner
  });

  it('suppresses a rule by a datapoint another node polls, lists it on every node, and lets it through when that ends', async () => {
    const [, lt1, lt2] = plant.points;
    sim.setHolding(2, 0); // the suppressing signal, on PLC 2: "stopped"
    sim.setHolding(1, 10);
    const created = await node('a').call('POST', '/api/rules', {
      token,
      body: {
        datapoint_id: lt1.id,
        name: 'Level 1 low',
        comparison: 'below',
        alarm_threshold: 5,
        suppress_when: { datapoint_id: lt2.id, comparison: 'equal', value: 0 },
      },
    });
    expect(created.status).toBe(201);
    const rule = created.json;
    // The stop has reached every node (the rule's owner hears it from PLC 2's) before the level drops.
    for (const n of live()) {
      await until(
        `${n.name} to see PLC 2 stopped`,
        async () => (await n.call('GET', `/api/datapoints/${lt2.id}`, { token })).json.live,
        (v: Json) => v.quality === 'good' && v.value === 0,
      );
    }
    const watcher = stream(node('c'));
    await watcher.next('snapshot');
    sim.setHolding(1, 0); // low, but suppressed
    for (const n of live()) {
      const listed = await until(
        `${n.name} to list the suppressed rule`,
        async () => (await n.call('GET', '/api/alarms/suppressed', { token })).json.suppressed,
        (list: Json[]) => list.some((x) => x.rule_id === rule.id),
      );
      expect(listed.find((x: Json) => x.rule_id === rule.id)).toEqual({ rule_id: rule.id, rule_name: 'Level 1 low', would_be: 'ALARM' });
    }
    sim.setHolding(2, 1); // running again: the owner of PLC 1 hears it from the owner of PLC 2
    const raised = await watcher.inbox.next(isAlarm(rule.id, 'ALARM'), 'the low level once no longer suppressed');
    expect(raised).toMatchObject({ reason: 'value', previous_state: 'OK' });
    expect(watcher.inbox.all.filter((m) => m.type === 'alarm_state' && m.rule_id === rule.id)).toHaveLength(1);
    sim.setHolding(1, 10);
    await watcher.inbox.next(isAlarm(rule.id, 'OK'), 'the level back');
  });

  it('keeps an admin when two nodes each demote one of the last two at once', async () => {
    const created = await node('a').call('POST', '/api/users', {
      token,
      body: { username: 'second-admin', password: 'password-123', role: 'admin' },
    });
    expect(created.status).toBe(201);
    const first = (await node('a').call('GET', '/api/auth/me', { token })).json;
    const secondToken = await node('b').login('second-admin', 'password-123');
    // Each admin demotes the other, on different nodes, at the same moment.
    const answers = await Promise.all([
      node('a').call('PATCH', `/api/users/${created.json.id}`, { token, body: { role: 'operator' } }),
      node('b').call('PATCH', `/api/users/${first.id}`, { token: secondToken, body: { role: 'operator' } }),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    // One wins; the other finds itself the last admin (409) or no admin any more (403).
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = async (n: string) => {
      const winner = answers[0]!.status === 200 ? token : secondToken;
      return (await node(n).call('GET', '/api/users', { token: winner })).json.filter((u: Json) => u.role === 'admin');
    };
    for (const n of ['a', 'b', 'c']) expect(await admins(n)).toHaveLength(1);
    // Put things back for the tests after this one.
    const winner = answers[0]!.status === 200 ? token : secondToken;
    const loser = answers[0]!.status === 200 ? created.json.id : first.id;
    expect((await node('c').call('PATCH', `/api/users/${loser}`, { token: winner, body: { role: 'admin' } })).status).toBe(200);
  });

  it('counts sign-in failures across the cluster', async () => {
    const wrong = { username: 'admin', password: 'not-the-password' };
    const statuses = [];
    for (const n of ['a', 'b', 'c', 'a', 'b']) statuses.push((await node(n).call('POST', '/api/auth/login', { body: wrong })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const sixth = await node('c').call('POST', '/api/auth/login', { body: wrong });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('fires an item_due once in the cluster', async () => {
    const watchers = live().map((n) => stream(n, '?topics=items'));
    await Promise.all(watchers.map((w) => w.next('snapshot')));
    const id = randomUUID();
    const startedAt = new Date(Date.now() - 59_000).toISOString(); // a one-minute timer with a second to go
    const put = await node('b').call('PUT', `/api/items/${id}`, {
      token,
      body: { kind: 'timer', label: 'tea', enabled: true, timer: { duration_s: 60, started_at: startedAt } },
    });
    expect(put.status).toBeLessThan(300);
    const due = await Promise.all(watchers.map((w) => w.next('item_due', (m) => m.item?.id === id || m.item_id === id)));
    expect(new Set(due.map((m) => m.id)).size).toBe(1);
    // Every node has had its turn at the due time by now; a later change is told after any repeat would be.
    const sentinel = randomUUID();
    await node('c').call('PUT', `/api/items/${sentinel}`, {
      token,
      body: { kind: 'timer', label: 'later', enabled: true, timer: { duration_s: 600, started_at: null } },
    });
    await Promise.all(
      watchers.map((w) => w.inbox.next((m) => m.type !== 'item_due' && JSON.stringify(m).includes(sentinel), 'the sentinel')),
    );
    for (const w of watchers) expect(w.inbox.all.filter((m) => m.type === 'item_due')).toHaveLength(1);
  });

  it('hands PLCs over on SIGTERM', async () => {
    const plcId = plant.plcs[1]!.id;
    const owner = node(await ownerOf(plcId, node('a')));
    owner.stop();
    expect(await owner.exited).toBe(0);
    nodes = nodes.filter((n) => n !== owner);
    const survivor = live()[0]!;
    const view = await until(
      'the PLC polled by a survivor',
      () => clusterOf(survivor),
      (c) => c.nodes.some((n: Json) => n.plc_ids.includes(plcId)),
    );
    expect(view.nodes.map((n: Json) => n.name)).not.toContain(owner.name);
    // the alarm engine came along: a level change raises the alarm there (the client is live
    // first: a change before its snapshot comes in the snapshot, not as an event)
    const w = stream(survivor);
    await w.next('snapshot');
    sim.setHolding(1, 90);
    await w.inbox.next(isAlarm(plant.rules[1]!.id, 'ALARM'), 'ALARM after hand-over', 10_000);
  });

  it("takes a dead owner's PLCs over, repeats no transition, and its clients resume on a survivor", async () => {
    const rule = plant.rules[0]!;
    const owner = node(await ownerOf(plant.plcs[0]!.id, live()[0]!));
    const survivor = live().find((n) => n !== owner)!;
    const onOwner = stream(owner);
    await onOwner.next('snapshot');
    // a burst of changes on the PLC it polls, and the node dies in the middle of it
    for (const v of [20, 85, 30]) {
      sim.setHolding(0, v);
      await onOwner.inbox.next(
        (m) => m.type === 'values' && m.values.some((x: Json) => x.datapoint_id === plant.points[0]!.id && x.value === v),
        `value ${v}`,
      );
    }
    owner.kill();
    await owner.exited;
    nodes = nodes.filter((n) => n !== owner);
    const lastSeen = onOwner.inbox.all.filter((m) => typeof m.id === 'number').at(-1)!.id as number;

    await until(
      "a survivor to poll the dead node's PLC",
      () => clusterOf(survivor),
      (c) => c.nodes.some((n: Json) => n.plc_ids.includes(plant.plcs[0]!.id)),
      20_000,
    );
    sim.setHolding(0, 95);
    const resumed = stream(survivor, `?last_event_id=${lastSeen}`);
    const raised = await resumed.inbox.next(isAlarm(rule.id, 'ALARM'), 'the alarm on the survivor', 10_000);

    // The journal as the survivor's history tells it: ids strictly increasing, and no transition
    // repeats the state the rule was already in.
    const history = (await survivor.call('GET', `/api/alarms/history?rule_id=${rule.id}&limit=1000`, { token })).json;
    const events: Json[] = history.events ?? history;
    const states = events.filter((e) => e.type === 'alarm_state');
    for (let i = 1; i < states.length; i++) expect(states[i].previous_state, `event ${states[i].id}`).toBe(states[i - 1].state);
    expect(states.map((e) => e.id)).toEqual([...states.map((e) => e.id)].sort((x, y) => x - y));
    // the resumed stream got exactly the events after its last id, no gap, nothing twice
    const after = events.filter((e) => e.id > lastSeen && e.id <= raised.id).map((e) => e.id);
    const got = resumed.inbox.all.filter((m) => m.rule_id === rule.id && typeof m.id === 'number' && m.id <= raised.id).map((m) => m.id);
    expect(got).toEqual(after);
  });

  it('recovers by itself when the database drops every connection', async () => {
    await asAdmin((admin, dbName) => admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]));
    const [n] = live();
    await until(
      'healthy again',
      async () => (await fetch(`${n!.url}/healthz`)).status,
      (s) => s === 200,
    );
    await until(
      'the PLCs owned again',
      () => clusterOf(n!),
      (c) => plant.plcs.every((p) => c.nodes.some((x: Json) => x.plc_ids.includes(p.id))),
    );
    const w = stream(n!);
    await w.next('snapshot');
    sim.setHolding(2, 99);
    await w.inbox.next(isAlarm(plant.rules[2]!.id, 'ALARM'), 'an alarm after the reconnect', 10_000);
  });

  it('answers 503 on /healthz while it cannot reach the database, and 200 once it can', async () => {
    const [n] = live();
    const health = async () => (await fetch(`${n!.url}/healthz`)).status;
    await asAdmin(async (admin, dbName) => {
      await admin.query(`alter database ${dbName} allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
    });
    try {
      await until('503 without the database', health, (s) => s === 503);
    } finally {
      await asAdmin((admin, dbName) => admin.query(`alter database ${dbName} allow_connections true`));
    }
    await until('200 with it again', health, (s) => s === 200);
  });
});

/** Runs `work` on a connection of the server's superuser to the maintenance database. */
async function asAdmin(work: (admin: pg.Client, dbName: string) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await work(admin, new URL(database.url).pathname.slice(1));
  } finally {
    await admin.end();
  }
}
