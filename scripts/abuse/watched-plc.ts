/**
 * The "zero false UNKNOWN" check: a real PLC the server polls through every phase. The Modbus
 * simulator runs in a process of its own (../fanout/simulator-process.ts), so neither the server's
 * busy loop nor the clients' can delay its replies: an UNKNOWN seen here is the server's doing.
 * The PLC is named by host NAME ("localhost"), so every reconnect needs a look-up, which in
 * Node queues on libuv's thread pool, the pool that password hashing also uses.
 */
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { clientRpc } from '../fanout/protocol.js';
import type { SimAnswer, SimCommand, SimReady } from '../fanout/simulator-process.js';
import type { Api, Server } from './server.js';

const POLL_MS = 200;

type Event = { id: number; type: string; state?: string; reason?: string };

export async function startWatchedPlc(server: Server) {
  const child = fork(fileURLToPath(new URL('../fanout/simulator-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    cwd: fileURLToPath(new URL('../..', import.meta.url)), // where `tsx` resolves
  });
  const { port } = await new Promise<SimReady>((resolve) => child.once('message', resolve));
  const ask = clientRpc<SimCommand>(child);
  const requests = async () => (await ask<SimAnswer>({ cmd: 'requests' })).requests ?? 0;

  const { api } = server;
  const created = async (path: string, body: object) => {
    const res = await api<{ id: number }>('POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.id;
  };
  // Register 0 holds 0 and never changes; the rule alarms above 50, so it stays OK throughout.
  const plcId = await created('/api/plcs', { name: 'Watched PLC', host: 'localhost', port, poll_interval_ms: POLL_MS });
  const pointId = await created('/api/datapoints', { plc_id: plcId, label: 'PT-1', area: 'holding', address: 0, type: 'uint16' });
  const ruleId = await created('/api/rules', { datapoint_id: pointId, name: 'PT-1 high', comparison: 'above', alarm_threshold: 50 });
  await polledGood(api, pointId, requests);

  return {
    ruleId,
    /** This rule's alarm_state events, read back through the history API, page by page. */
    async transitions(): Promise<Event[]> {
      const events: Event[] = [];
      for (let after = 0; ; ) {
        const res = await api<{ events: Event[]; next_after_id: number | null }>(
          'GET',
          `/api/alarms/history?rule_id=${ruleId}&limit=1000&after_id=${after}`,
        );
        if (res.status !== 200) throw new Error(`history: ${res.status} ${JSON.stringify(res.json)}`);
        events.push(...res.json.events.filter((e) => e.type === 'alarm_state'));
        if (res.json.next_after_id === null) return events;
        after = res.json.next_after_id;
      }
    },
    /** The PLC's connection losses as journaled (plc_status events with connected false). */
    async disconnects(): Promise<string[]> {
      const rows = await server.app.db
        .selectFrom('events')
        .select(['ts', 'payload'])
        .where('topic', '=', 'system')
        .where('type', '=', 'plc_status')
        .execute();
      return rows
        .map((r) => ({ ts: r.ts, p: JSON.parse(r.payload) as { plc_id: number; connected: boolean; error: string | null } }))
        .filter((r) => r.p.plc_id === plcId && !r.p.connected)
        .map((r) => `${r.ts} ${r.p.error ?? ''}`);
    },
    async status(): Promise<unknown> {
      return (await api<{ status: unknown }>('GET', `/api/plcs/${plcId}`)).json.status;
    },
    requests,
    close: () => child.disconnect(),
  };
}

/** Waits until the simulator has been polled a few times and the datapoint reads good. */
async function polledGood(api: Api, pointId: number, requests: () => Promise<number>): Promise<void> {
  for (let tries = 0; ; tries++) {
    const point = await api<{ live?: { quality: string } }>('GET', `/api/datapoints/${pointId}`);
    if ((await requests()) >= 3 && point.json.live?.quality === 'good') return;
    if (tries > 100) throw new Error(`the watched PLC never read good: ${JSON.stringify(point.json)}`);
    await sleep(100);
  }
}

export type WatchedPlc = Awaited<ReturnType<typeof startWatchedPlc>>;
