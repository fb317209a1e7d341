import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/modbus/simulator.js';
import { startNode, until, type ClusterNodeProcess, type Json } from './helpers/cluster-nodes.js';
import { freshPostgres } from './helpers/postgres.js';
import { takeTurns } from './helpers/one-at-a-time.js';

/**
 * A TCP relay to the local PostgreSQL that can go silent, as a cut cable does (nothing closes,
 * nothing arrives), and then cut every connection, as PostgreSQL does once its keepalives fail.
 */
async function pgRelay() {
  const pairs: Socket[] = [];
  let silent = false;
  const server: Server = createServer((client) => {
    const upstream = createConnection(5432, '127.0.0.1');
    pairs.push(client, upstream);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk) => void (silent || to.write(chunk)));
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    goSilent: () => void (silent = true),
    cut: () => pairs.forEach((s) => s.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let database: { url: string; drop(): Promise<void> };
let relay: Awaited<ReturnType<typeof pgRelay>>;
let sim: Simulator;
const nodes: ClusterNodeProcess[] = [];

// One cluster suite at a time: each starts several server processes.
takeTurns('cluster');

beforeAll(async () => {
  database = await freshPostgres();
  relay = await pgRelay();
  sim = await createSimulator();
});

afterAll(async () => {
  for (const n of nodes) n.kill();
  await Promise.all(nodes.map((n) => n.exited));
  relay.cut();
  await relay.close();
  await sim.close();
  await database.drop();
});

describe('a node cut off from PostgreSQL by the network', { timeout: 60_000 }, () => {
  it('stops polling its PLCs and reports 503, and another node takes them over', async () => {
    const relayed = new URL(database.url);
    relayed.port = String(relay.port);
    const a = await startNode(relayed.toString(), 'a');
    nodes.push(a);
    const token = await a.login();
    const plc = (
      await a.call('POST', '/api/plcs', {
        token,
        body: { name: 'P', host: sim.host, port: sim.port, poll_interval_ms: 100, timeout_ms: 500 },
      })
    ).json;
    const ownerOf = async (n: ClusterNodeProcess) =>
      ((await n.call('GET', '/api/cluster', { token })).json.nodes as Json[]).find((x) => x.plc_ids.includes(plc.id))?.name as
        | string
        | undefined;
    await until(
      'a to poll the PLC',
      () => ownerOf(a),
      (owner) => owner === 'a',
    );
    const b = await startNode(database.url, 'b');
    nodes.push(b);

    relay.goSilent();
    // Its own session stops answering: it lets go of the PLC itself, not waiting for the database to notice.
    await a.waitFor(/lost the leases of PLC/);
    await until(
      'a to say it cannot reach the database',
      async () => (await fetch(`${a.url}/healthz`)).status,
      (s) => s === 503,
    );
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);

    relay.cut(); // the database notices the dead connections, and frees the locks
    await until(
      'b to poll the PLC',
      () => ownerOf(b),
      (owner) => owner === 'b',
    );
  });
});
