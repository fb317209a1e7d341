/**
 * Clients that resume from last_event_id=0 on `topics=config` and read the whole journal back as
 * fast as they can. They count events without parsing them (2 million messages would otherwise
 * make this thread, not the server, the bottleneck): WebSocket frames through the bare frame
 * walker of ../fanout/raw-ws.ts, SSE blocks by their `\nid: ` lines.
 */
import { get, type ClientRequest } from 'node:http';
import { openRawWs } from '../fanout/raw-ws.js';
import { wallNow } from '../fanout/wall-clock.js';
import type { ReplayClientResult } from './protocol.js';

export interface ReplayClient {
  result(): ReplayClientResult;
  close(): void;
}

/** One client's progress; `onDone` once it has `expected` events. */
class Progress {
  readonly started = wallNow();
  events = 0;
  lastIdSeen = 0;
  doneAt = NaN;
  closedEarly: string | null = null;
  closing = false;

  constructor(
    readonly transport: 'ws' | 'sse',
    private readonly expected: number,
    private readonly onDone: () => void,
  ) {}

  event(id: number): void {
    if (id > this.lastIdSeen) this.lastIdSeen = id;
    if (++this.events === this.expected) {
      this.doneAt = wallNow();
      this.onDone();
    }
  }

  ended(why: string): void {
    if (this.closing || this.closedEarly !== null) return;
    this.closedEarly = why;
    if (Number.isNaN(this.doneAt)) this.onDone(); // it will not finish: stop waiting for it
  }

  result(): ReplayClientResult {
    return {
      transport: this.transport,
      ms: this.doneAt - this.started,
      events: this.events,
      lastIdSeen: this.lastIdSeen,
      closedEarly: this.closedEarly,
    };
  }
}

/** The decimal number at `at` in `bytes`, or 0 if it runs past the end (then only the count is used). */
function readId(bytes: Buffer, at: number): number {
  let id = 0;
  for (let i = at; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return id;
    id = id * 10 + (c - 0x30);
  }
  return 0;
}

const WS_EVENT = Buffer.from('{"id":');

export async function replayOverWs(url: string, token: string, expected: number, onDone: () => void): Promise<ReplayClient> {
  const p = new Progress('ws', expected, onDone);
  let close = () => {};
  try {
    const ws = await openRawWs(
      `${url.replace(/^http/, 'ws')}/ws?topics=config&last_event_id=0`,
      { authorization: `Bearer ${token}` },
      (chunk, start) => {
        // A journaled event starts with its id; welcome and heartbeats do not. A frame split across
        // chunks (start -1) cannot be looked at; it is counted as an event (the few others are tiny).
        if (start < 0) p.event(0);
        else if (chunk.compare(WS_EVENT, 0, WS_EVENT.length, start, start + WS_EVENT.length) === 0)
          p.event(readId(chunk, start + WS_EVENT.length));
      },
    );
    void ws.closed.then((how) => p.ended(how));
    close = () => ((p.closing = true), ws.close());
  } catch (err) {
    p.ended(`could not open: ${String(err)}`);
  }
  return { result: () => p.result(), close };
}

const SSE_ID = Buffer.from('\nid: '); // every block ends with a blank line, so each id line follows a \n

export function replayOverSse(url: string, token: string, expected: number, onDone: () => void): ReplayClient {
  const p = new Progress('sse', expected, onDone);
  const req: ClientRequest = get(
    `${url}/sse?topics=config`,
    { headers: { authorization: `Bearer ${token}`, 'last-event-id': '0' } },
    (res) => {
      if (res.statusCode !== 200) {
        p.ended(`HTTP ${res.statusCode}`);
        res.resume();
        return;
      }
      let tail: Buffer = Buffer.alloc(0); // the last bytes of the previous chunk, for an id line split across two
      res.on('data', (chunk: Buffer) => {
        if (tail.length > 0) {
          const joint = Buffer.concat([tail, chunk.subarray(0, SSE_ID.length - 1)]);
          const at = joint.indexOf(SSE_ID);
          if (at >= 0) p.event(0);
        }
        for (let at = chunk.indexOf(SSE_ID); at >= 0; at = chunk.indexOf(SSE_ID, at + SSE_ID.length))
          p.event(readId(chunk, at + SSE_ID.length));
        tail = chunk.subarray(Math.max(0, chunk.length - (SSE_ID.length - 1)));
      });
      res.on('close', () => p.ended('SSE stream ended by the server'));
    },
  );
  req.on('error', (err) => p.ended(`SSE error: ${err.message}`));
  return { result: () => p.result(), close: () => ((p.closing = true), req.destroy()) };
}
