/**
 * The soak's stream clients: WebSocket clients (the `ws` library, which answers the server's
 * protocol pings, so the heartbeat keeps them) and SSE clients over fetch. Each counts the
 * messages it gets and the alarm_state events among them; closes nobody asked for are tallied.
 */
import { WebSocket } from 'ws';

const ALARM_STATE_WS = Buffer.from('"type":"alarm_state"');
const ALARM_STATE_SSE = Buffer.from('event: alarm_state\n');
const SNAPSHOT_SSE = Buffer.from('event: snapshot\n');

export interface ClientCounts {
  messages: number;
  alarmStates: number;
}

interface Client {
  counts: ClientCounts;
  close(): void;
}

export function streamClients(baseUrl: string, token: string) {
  const ws: Client[] = [];
  const sse: Client[] = [];
  const unexpected: Record<string, number> = {};
  let closing = false;
  const lost = (why: string) => {
    if (!closing) unexpected[why] = (unexpected[why] ?? 0) + 1;
  };

  /** Resolves once the server's snapshot (the second message) has arrived. */
  function openWs(): Promise<void> {
    const counts: ClientCounts = { messages: 0, alarmStates: 0 };
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
    ws.push({ counts, close: () => socket.close(1000) });
    return new Promise((resolve, reject) => {
      socket.on('message', (data: Buffer) => {
        counts.messages++;
        if (data.indexOf(ALARM_STATE_WS) >= 0) counts.alarmStates++;
        if (counts.messages === 2) resolve();
      });
      socket.on('error', (err) => reject(err));
      socket.on('close', (code, reason) => {
        lost(`ws close ${code} ${reason.toString()}`.trim());
        reject(new Error(`closed ${code}`));
      });
    });
  }

  /** Resolves once the snapshot event has arrived. */
  async function openSse(): Promise<void> {
    const counts: ClientCounts = { messages: 0, alarmStates: 0 };
    const abort = new AbortController();
    sse.push({ counts, close: () => abort.abort() });
    const res = await fetch(`${baseUrl}/sse`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`SSE: HTTP ${res.status}`);
    const reader = res.body.getReader();
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    let carry = Buffer.alloc(0);
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return lost('sse ended by the server');
        // Events are counted by their blocks (ending in a blank line); a block cut by a chunk
        // boundary is carried over.
        const data = carry.length ? Buffer.concat([carry, value]) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        let from = 0;
        for (let end = data.indexOf('\n\n', from); end >= 0; end = data.indexOf('\n\n', from)) {
          const block = data.subarray(from, end);
          if (block.indexOf('event: ') >= 0) counts.messages++;
          if (block.indexOf(ALARM_STATE_SSE) >= 0) counts.alarmStates++;
          if (block.indexOf(SNAPSHOT_SSE) >= 0) ready();
          from = end + 2;
        }
        carry = Buffer.from(data.subarray(from));
      }
    })().catch((err: Error) => lost(abort.signal.aborted ? 'aborted' : `sse error ${err.message}`));
    await isReady;
  }

  /** Opens `count` clients with `open`, `concurrency` at a time; throws on the first failure. */
  async function openMany(count: number, concurrency: number, open: () => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        await open();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }

  const total = (clients: Client[]): ClientCounts =>
    clients.reduce((sum, c) => ({ messages: sum.messages + c.counts.messages, alarmStates: sum.alarmStates + c.counts.alarmStates }), {
      messages: 0,
      alarmStates: 0,
    });

  return {
    openWs: (count: number) => openMany(count, 20, openWs),
    openSse: (count: number) => openMany(count, 10, openSse),
    totals: () => ({ ws: total(ws), sse: total(sse) }),
    /** Per client alarm_state counts, lowest and highest (every client should see every one). */
    alarmStateSpread(): { min: number; max: number } {
      const all = [...ws, ...sse].map((c) => c.counts.alarmStates);
      return { min: Math.min(...all), max: Math.max(...all) };
    },
    unexpectedCloses: () => ({ ...unexpected }),
    closeAll(): void {
      closing = true;
      for (const c of [...ws, ...sse]) c.close();
    },
  };
}
