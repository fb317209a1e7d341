/**
 * The floor as a process of its own, started like the app: on Node as
 * `node dist/scripts/fanout/floor-process.js` (no TypeScript loader, no flags), on Bun as
 * `bun scripts/fanout/floor-process.ts`. It polls its own bench PLC as the app polls its, and
 * when a register crosses 50 it serializes an alarm_state event once and broadcasts it, one
 * batch per poll reply: on Node with a plain `ws.send` loop and a bare node:http SSE write
 * (floor-server.ts), on Bun with `server.publish` to one topic and a bare SSE stream
 * (bun-floor-server.ts). Configured by FLOOR_SIM_PORT, FLOOR_REGISTERS and FLOOR_POLL_MS;
 * answers `{cmd:'clients'}` over IPC and exits when the channel closes. Spawned by floor-control.ts.
 */
import { alarmEventJson, alarmPayload } from './alarm-event.js';
import { startFloorServer } from './floor-server.js';
import { pollHoldingRegisters } from './modbus-reader.js';

/** Sent once, when the floor listens; `kind` says which floor it is. */
export type FloorReady = { port: number; kind: string };
export type FloorQuestion = { cmd: 'clients' };
export type FloorAnswer = { clients: number };

const env = (name: string) => Number(process.env[name]);
const onBun = process.versions['bun'] !== undefined;
// bun-floor-server.ts uses Bun's globals: loaded only under Bun.
const server = onBun ? await (await import('./bun-floor-server.js')).startBunFloorServer() : await startFloorServer();
const kind = onBun
  ? `Bun ${process.versions['bun']}: bare Bun.serve, WebSockets on one topic, each message one server.publish; bare SSE stream`
  : `Node ${process.version}: bare ws server, a corked ws.send loop; bare node:http SSE`;
let last: number[] | undefined;
let nextId = 1;

const poller = pollHoldingRegisters(env('FLOOR_SIM_PORT'), env('FLOOR_REGISTERS'), env('FLOOR_POLL_MS'), (values) => {
  const before = last;
  last = values;
  if (!before) return;
  const ws: Buffer[] = [];
  const sse: Buffer[] = [];
  values.forEach((value, address) => {
    if (value > 50 === before[address]! > 50) return;
    const id = nextId++;
    const json = alarmEventJson(id, alarmPayload(address, value > 50, value));
    ws.push(Buffer.from(json));
    sse.push(Buffer.from(`id: ${id}\nevent: alarm_state\ndata: ${json}\n\n`));
  });
  if (ws.length > 0) server.broadcast(ws, sse);
});

process.on('message', (m: FloorQuestion & { id: number }) => {
  process.send?.({ id: m.id, clients: server.clients() } satisfies FloorAnswer & { id: number });
});
process.on('disconnect', () => {
  poller.stop();
  void server.close().then(() => process.exit(0));
});
process.send?.({ port: Number(new URL(server.sseUrl).port), kind } satisfies FloorReady);
