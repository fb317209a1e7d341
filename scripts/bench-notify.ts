/**
 * Notifications under load, black-box: the app as its own process (SQLite file), 200 rules on
 * one PLC polled every 100 ms whose registers cross the limit every 200 ms (1000 transitions/s),
 * a WebSocket client, and N webhook receivers, all in this process. Two runs: without notifiers
 * (the floor), then with N webhook notifiers on every event type. Prints, for each run, stream
 * latency (event ts -> the client) and for the second also delivery latency (event ts -> each
 * receiver), p50 and p99. A third run is the webhook floor: a bare client process POSTs the
 * same signed bodies to the same receivers, one at a time per receiver over a kept-alive
 * connection (as a notifier must, to keep order), as fast as they answer: what this machine
 * allows. Prints figures, asserts nothing.
 * Run: npx tsx scripts/bench-notify.ts   (NOTIFIERS=10 SECONDS=10 WARMUP_SECONDS=5)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Client } from 'undici/index.js';
import { fileURLToPath } from 'node:url';
import { webhookSignature } from '../src/notify/webhook.js';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createSimulator } from '../src/modbus/simulator.js';
import { startNode } from '../test/helpers/cluster-nodes.js';

const NOTIFIERS = Number(process.env['NOTIFIERS'] ?? 10);
const SECONDS = Number(process.env['SECONDS'] ?? 10);
/** Before the window: the JIT warms up, and the notifiers' backlog from their cold start drains. */
const WARMUP_SECONDS = Number(process.env['WARMUP_SECONDS'] ?? 5);
const RULES = 200;

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const line = (what: string, xs: number[]) =>
  console.log(`  ${what}: ${xs.length} messages, p50 ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms`);

/** A webhook endpoint that answers 200 at once and notes how late each event arrived. */
async function receiver(delays: number[]) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const ts = /"ts":"([^"]+)"/.exec(body)?.[1];
      if (ts && body.includes('"alarm_state"')) delays.push(Date.now() - Date.parse(ts));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, close: () => server.close() };
}

async function run(notifiers: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
  const sim = await createSimulator();
  const node = await startNode(join(dir, 'alarms.sqlite'), 'bench', { HEARTBEAT_MS: '120000' });
  const delivered: number[] = [];
  const receivers = await Promise.all(Array.from({ length: notifiers }, () => receiver(delivered)));
  try {
    const token = await node.login();
    const plc = (
      await node.call('POST', '/api/plcs', {
        token,
        body: { name: 'P', host: sim.host, port: sim.port, poll_interval_ms: 100, timeout_ms: 500 },
      })
    ).json;
    for (let i = 0; i < RULES; i++) {
      const point = (
        await node.call('POST', '/api/datapoints', {
          token,
          body: { plc_id: plc.id, label: `L${i}`, area: 'holding', address: i, type: 'uint16' },
        })
      ).json;
      await node.call('POST', '/api/rules', {
        token,
        body: { datapoint_id: point.id, name: `R${i}`, severity: 'high', comparison: 'above', alarm_threshold: 50 },
      });
    }
    for (const [i, r] of receivers.entries()) {
      const made = await node.call('POST', '/api/notifiers', {
        token,
        body: { kind: 'webhook', name: `hook ${i}`, url: r.url, secret: 'bench-secret-0123456789', max_per_rule_per_min: 1000 },
      });
      if (made.status !== 201) throw new Error(`notifier: ${JSON.stringify(made.json)}`);
    }
    const streamed: number[] = [];
    const ws = new WebSocket(`${node.ws}/ws?topics=alarms`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.on('message', (data) => {
      const text = String(data);
      if (!text.includes('"alarm_state"')) return;
      const now = Date.now();
      for (const m of text.matchAll(/"ts":"([^"]+)"/g)) streamed.push(now - Date.parse(m[1]!));
    });
    await new Promise((resolve) => ws.once('open', resolve));

    let high = false;
    const flip = setInterval(() => {
      high = !high;
      for (let i = 0; i < RULES; i++) sim.setHolding(i, high ? 80 : 20);
    }, 200);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
    streamed.length = 0;
    delivered.length = 0;
    const appCpu = cpuSeconds(node.pid);
    const ownCpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    clearInterval(flip);
    const appCores = (cpuSeconds(node.pid) - appCpu) / SECONDS;
    const own = process.cpuUsage(ownCpu);
    const ownCores = (own.user + own.system) / 1e6 / SECONDS;
    const streamWindow = [...streamed];
    const deliveredWindow = [...delivered];
    console.log(
      `${notifiers} webhook notifier(s), ~${(streamWindow.length / SECONDS).toFixed(0)} transitions/s streamed; CPU: app ${appCores.toFixed(2)} cores, bench (receivers, PLC, client) ${ownCores.toFixed(2)}`,
    );
    line('stream (event ts -> WS client)', streamWindow);
    if (notifiers > 0)
      line(`webhooks (event ts -> receiver), ${(deliveredWindow.length / SECONDS / notifiers).toFixed(0)}/s per notifier`, deliveredWindow);
    ws.terminate();
  } finally {
    node.stop(); // SIGTERM: an orderly stop (and a CPU profile written, with NODE_OPTIONS=--cpu-prof)
    await node.exited;
    for (const r of receivers) r.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor: N serial keep-alive POST loops from another process, SECONDS long. */
async function floor(notifiers: number): Promise<void> {
  const counts: number[] = [];
  const receivers = await Promise.all(Array.from({ length: notifiers }, () => receiver(counts)));
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), 'floor-client', String(SECONDS), ...receivers.map((r) => r.url)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const sent = Number(out.trim());
    console.log(`floor: a bare client, ${notifiers} serial keep-alive POST loops: ${(sent / SECONDS / notifiers).toFixed(0)}/s per loop`);
  } finally {
    for (const r of receivers) r.close();
  }
}

/** The floor's client: signed event-sized POSTs, one at a time per URL; prints how many were answered. */
async function floorClient(seconds: number, urls: string[]): Promise<void> {
  const body = JSON.stringify({
    id: 1,
    topic: 'alarms',
    type: 'alarm_state',
    ts: new Date().toISOString(),
    rule_id: 1,
    rule_name: 'R1',
    state: 'ALARM',
    message: 'x'.repeat(300),
  });
  const end = Date.now() + seconds * 1000;
  let answered = 0;
  await Promise.all(
    urls.map(async (url) => {
      const { origin, pathname } = new URL(url);
      const client = new Client(origin, { pipelining: 1 });
      const post = () =>
        new Promise<void>((resolve, reject) =>
          client.dispatch(
            {
              path: pathname,
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-alarm-signature': webhookSignature('bench-secret-0123456789', body) },
              body,
            },
            {
              onRequestStart: () => {},
              onResponseStart: () => {
                answered++;
                resolve();
              },
              onResponseError: (_c, err) => reject(err),
            },
          ),
        );
      while (Date.now() < end) await post();
      await client.close();
    }),
  );
  process.stdout.write(`${answered}\n`);
}

if (process.argv[2] === 'floor-client') {
  await floorClient(Number(process.argv[3]), process.argv.slice(4));
} else {
  await run(0);
  await run(NOTIFIERS);
  await floor(NOTIFIERS);
}
