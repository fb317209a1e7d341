import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { driveStates, simulatedRule, type Json } from './helpers/alarm-plant.js';
import { startNode, type ClusterNodeProcess } from './helpers/cluster-nodes.js';
import { freshPostgres } from './helpers/postgres.js';
import { wsClient, type WsClient } from './helpers/stream-clients.js';
import { until } from './helpers/until.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { takeTurns } from './helpers/one-at-a-time.js';

// Two nodes as real processes on one fresh PostgreSQL database (SPEC 12, 14): one notifier is
// driven by one node at a time (its advisory lock), so each event goes out once, whichever node
// journaled it; when that node dies the other takes the notifier over from its stored cursor.
let database: { url: string; drop(): Promise<void> };
let sim: Simulator;
let hook: WebhookReceiver;
let nodes: ClusterNodeProcess[] = [];
const clients: WsClient[] = [];
let token: string;

// One cluster suite at a time: each starts several server processes.
takeTurns('cluster');

beforeAll(async () => {
  database = await freshPostgres();
  sim = await createSimulator();
  hook = await startWebhookReceiver();
  nodes = await Promise.all(['a', 'b'].map((name) => startNode(database.url, name)));
  token = await nodes[0]!.login();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  for (const n of nodes) if (n.exitCode === undefined) n.kill();
  await Promise.all(nodes.map((n) => n.exited));
  await hook.close();
  await sim.close();
  await database.drop();
}, 30_000);

function stream(n: ClusterNodeProcess): WsClient {
  const c = wsClient(`${n.ws}/ws`, { headers: { authorization: `Bearer ${token}` } });
  clients.push(c);
  return c;
}

const sentIds = () => hook.inbox.all.map((r) => Number(r.headers['x-alarm-event-id']));

describe('notifiers in a cluster', () => {
  it('delivers each event once, from the one node that holds the notifier, and hands it over when that node dies', async () => {
    const [a, b] = nodes as [ClusterNodeProcess, ClusterNodeProcess];
    const created = await b.call('POST', '/api/notifiers', {
      token,
      body: { kind: 'webhook', name: 'Pager', url: hook.url, secret: 'cluster-secret-12345' },
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    const { plc } = await simulatedRule(a.call, token, sim);
    const polled = (n: ClusterNodeProcess) =>
      until(
        `PLC ${plc.id} polled`,
        async () => (await n.call('GET', '/api/cluster', { token })).json,
        (c: Json) => c.nodes.some((x: Json) => x.plc_ids.includes(plc.id)),
        20_000,
      );
    await polled(a);

    // Exactly one node drives it; the other says so.
    const states = async () =>
      Promise.all(nodes.map(async (n) => (await n.call('GET', `/api/notifiers/${id}`, { token })).json.status.state));
    const both = await until(
      'one driving node',
      states,
      (s) => s.filter((x) => x === 'other_node').length === 1 && !s.includes('starting'),
    );
    const driver = nodes[both.findIndex((s) => s !== 'other_node')]!;
    const survivor = nodes.find((n) => n !== driver)!;

    const watch = stream(survivor);
    await watch.next('snapshot');
    const before = await driveStates(sim, watch, ['WARNING', 'ALARM', 'WARNING']);
    await hook.received(before.length);
    expect(sentIds()).toEqual(before.map((e) => e.id));
    // Saved as delivered: nothing is in flight when the node dies, so nothing may come twice.
    const statusOn = (n: ClusterNodeProcess) => async () => (await n.call('GET', `/api/notifiers/${id}`, { token })).json.status;
    await until('the cursor saved', statusOn(driver), (s: Json) => s.state === 'idle' && s.cursor === before.at(-1)!.id);
    // The other node answers the counters saved in the row (saved with the cursor, once idle).
    expect(await statusOn(survivor)()).toMatchObject({
      state: 'other_node',
      delivered: before.length,
      last_delivered_id: before.at(-1)!.id,
      cursor: null,
    });

    driver.kill();
    await driver.exited;
    // The survivor takes the notifier over (and the PLC, if the dead node polled it).
    await until(
      'the survivor to drive the notifier',
      statusOn(survivor),
      (s: Json) => s.state !== 'other_node' && s.state !== 'starting',
      20_000,
    );
    await polled(survivor);
    const after = await driveStates(sim, watch, ['OK', 'ALARM'], 10_000);
    await hook.received(before.length + after.length);
    expect(sentIds()).toEqual([...before, ...after].map((e) => e.id));
    const status = await until('the last delivery counted', statusOn(survivor), (s: Json) => s.cursor === after.at(-1)!.id);
    // The survivor went on counting from what the dead node had saved.
    expect(status).toMatchObject({ delivered: before.length + after.length, failed_attempts: 0, last_delivered_id: after.at(-1)!.id });
  }, 60_000);
});
