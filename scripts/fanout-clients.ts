/**
 * The client process of bench-fanout.ts: opens WebSocket and SSE clients on command, counts what
 * they receive and reports back over IPC. It runs apart from the servers (the app and the floor,
 * each a process of its own) so that reading a million messages does not run on a server's event
 * loop (all still share the machine's cores). It does the least a client must (walk WebSocket
 * frames, find SSE events) and counts, so that it stays cheaper than the server it measures.
 * Not meant to be run by hand: bench-fanout.ts forks it.
 */
import { readFileSync } from 'node:fs';
import { MarkerScanner } from './fanout/marker-scanner.js';
import type { CloseReply, Command, ConnectReply, Counts, InfoReply } from './fanout/protocol.js';
import { openRawWs, type OnText } from './fanout/raw-ws.js';
import { Receipts } from './fanout/receipts.js';
import { monoNow } from './fanout/mono-clock.js';

const CONNECT_TIMEOUT_MS = 15_000;
// Every event the bench causes is an alarm_state, whether the engine raised it or the floor.
const SSE_EVENT_BYTES = Buffer.from('event: alarm_state\n');
const SNAPSHOT_BYTES = Buffer.from('"type":"snapshot"');

interface Client {
  kind: keyof Counts;
  /** Which server's clients these are ("floor", "app", "idle"): a run counts one group. */
  group: string;
  close(): void;
  closed: Promise<void>;
}

const clients = new Set<Client>();
const receipts = new Receipts();
const unexpectedCloses: Record<string, number> = {};
let closingAll = false;

const countReason = (into: Record<string, number>, reason: string) => (into[reason] = (into[reason] ?? 0) + 1);

/** Opens one WebSocket client; resolves once it is open (floor) or has its snapshot (app). */
async function openWs(url: string, token: string | undefined, group: string): Promise<void> {
  const tally = receipts.tally('ws');
  let ready!: (err?: Error) => void;
  const isReady = new Promise<void>((resolve, reject) => (ready = (err) => (err ? reject(err) : resolve())));
  // The app sends welcome and snapshot first (SPEC 6); the floor sends only bench messages.
  let before = token ? 2 : 0;
  const onText: OnText = (chunk, start, end) => {
    if (before === 0) return receipts.arrived(tally, monoNow());
    before -= 1;
    if (before > 0) return;
    const at = start < 0 ? -1 : chunk.indexOf(SNAPSHOT_BYTES, start);
    const isSnapshot = start < 0 || (at >= 0 && at < end); // a split payload is not checked
    ready(isSnapshot ? undefined : new Error('second message was not the snapshot'));
  };
  const ws = await openRawWs(url, token ? { authorization: `Bearer ${token}` } : {}, onText);
  if (!token) ready();
  const client: Client = { kind: 'ws', group, close: ws.close, closed: ws.closed.then(() => {}) };
  clients.add(client);
  const ended = ws.closed.then((how) => {
    clients.delete(client);
    if (!closingAll) countReason(unexpectedCloses, `ws ${how}`);
    throw new Error(how);
  });
  await Promise.race([isReady, ended]);
}

/** Opens one SSE client over fetch and resolves once its snapshot has arrived. */
async function openSse(url: string, token: string, group: string): Promise<void> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const reader = res.body.getReader();
  const tally = receipts.tally('sse');
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  let now = 0;
  const scanner = new MarkerScanner(SSE_EVENT_BYTES, () => receipts.arrived(tally, now));
  // retry, welcome and snapshot are small: keep them whole until the snapshot is complete.
  let early: Buffer | undefined = Buffer.alloc(0);

  const pump = async (): Promise<string> => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'stream ended by the server';
      now = monoNow();
      let chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (early) {
        early = Buffer.concat([early, chunk]);
        const at = early.indexOf(SNAPSHOT_BYTES);
        if (at < 0) continue;
        chunk = early.subarray(at);
        early = undefined;
        ready();
      }
      scanner.push(chunk);
    }
  };
  const client: Client = { kind: 'sse', group, close: () => abort.abort(), closed: Promise.resolve() };
  const ended = pump().catch((err: Error) => (abort.signal.aborted ? 'aborted' : `error ${err.message}`));
  client.closed = ended.then((how) => {
    clients.delete(client);
    if (!closingAll) countReason(unexpectedCloses, `sse ${how}`);
  });
  clients.add(client);
  await Promise.race([isReady, ended.then((how) => Promise.reject(new Error(how)))]);
}

/** Runs `count` opens, `concurrency` at a time, and tallies the failures by reason. */
async function openMany(count: number, concurrency: number, open: () => Promise<void>): Promise<Omit<ConnectReply, 'id'>> {
  const started = performance.now();
  const errors: Record<string, number> = {};
  let next = 0;
  let opened = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), CONNECT_TIMEOUT_MS);
      });
      try {
        await Promise.race([open(), timeout]);
        opened += 1;
      } catch (err) {
        // fetch hides the socket error (ECONNREFUSED, EMFILE, ...) in `cause`.
        const e = err as Error & { cause?: { code?: string } };
        countReason(errors, e.cause?.code ?? e.message);
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { opened, failed: count - opened, errors, ms: performance.now() - started };
}

function openClientCounts(group: string): Counts {
  const counts = { ws: 0, sse: 0 };
  for (const c of clients) if (c.group === group) counts[c.kind] += 1;
  return counts;
}

async function closeAll(timeoutMs: number): Promise<Omit<CloseReply, 'id'>> {
  const started = performance.now();
  closingAll = true;
  const all = [...clients];
  for (const c of all) c.close();
  await Promise.race([Promise.all(all.map((c) => c.closed)), new Promise((r) => setTimeout(r, timeoutMs))]);
  closingAll = false;
  return { closed: all.length - clients.size, leftOver: clients.size, ms: performance.now() - started };
}

function openFilesLimit(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return line?.split(/\s{2,}/)[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function handle(c: Command): Promise<object> {
  switch (c.cmd) {
    case 'info':
      return { pid: process.pid, openFilesLimit: openFilesLimit() } satisfies InfoReply;
    case 'connect-ws':
      return openMany(c.count, c.concurrency, () => openWs(c.url, c.token, c.group));
    case 'connect-sse':
      return openMany(c.count, c.concurrency, () => openSse(c.url, c.token, c.group));
    case 'expect':
      for (const reason of Object.keys(unexpectedCloses)) delete unexpectedCloses[reason];
      receipts.expect(c.run, c.batches, c.perBatch, openClientCounts(c.group));
      return {};
    case 'collect':
      return receipts.collect(c.timeoutMs, { ...unexpectedCloses });
    case 'close-all':
      return closeAll(c.timeoutMs);
  }
}

process.on('message', (m: Command & { id: number }) => {
  void handle(m).then((reply) => process.send?.({ id: m.id, ...reply }));
});
// The bench owns this process: when it goes away (or hangs), so do we.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(2), 280_000).unref();
