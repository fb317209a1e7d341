import WebSocket from 'ws';

export type Msg = Record<string, any> & { type: string };

/** Collects messages and lets a test await the one it expects (no sleeps). */
export class Inbox<T> {
  readonly all: T[] = [];
  #waiters: { pred: (m: T) => boolean; resolve: (m: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  push(m: T) {
    this.all.push(m);
    for (const w of [...this.#waiters]) {
      if (w.pred(m)) {
        clearTimeout(w.timer);
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }

  /** The first message (already received or coming) that matches. */
  next(pred: (m: T) => boolean, what = 'message', timeoutMs = 5000): Promise<T> {
    const found = this.all.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.all).slice(0, 2000)}`)),
        timeoutMs,
      );
      this.#waiters.push({ pred, resolve, reject, timer });
    });
  }
}

export interface WsClient {
  ws: WebSocket;
  inbox: Inbox<Msg>;
  send(m: unknown): void;
  next(type: string, pred?: (m: Msg) => boolean): Promise<Msg>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A WebSocket client that records every message it receives. */
export function wsClient(url: string, options: WebSocket.ClientOptions = {}): WsClient {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  const inbox = new Inbox<Msg>();
  ws.on('message', (data) => inbox.push(JSON.parse(String(data)) as Msg));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return {
    ws,
    inbox,
    send: (m) => {
      const send = () => ws.send(typeof m === 'string' ? m : JSON.stringify(m));
      if (ws.readyState === ws.OPEN) send();
      else ws.once('open', send);
    },
    next: (type, pred = () => true) => inbox.next((m) => m.type === type && pred(m), type),
    closed,
  };
}

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: Msg;
}

export interface SseClient {
  response: Response;
  inbox: Inbox<SseMessage>;
  comments: string[];
  retry: number | undefined;
  next(event: string, pred?: (m: SseMessage) => boolean): Promise<SseMessage>;
  close(): void;
  /** Stops reading, as a stalled client would (the server's writes back up), until `resume()`. */
  pause(): void;
  resume(): void;
  ended: Promise<void>;
}

/**
 * An SSE client over fetch that parses the event stream as a browser would. `fetcher` can be
 * `app.request`, to read the stream without a Node server in between (as under Bun).
 */
export async function sseClient(
  url: string,
  headers: Record<string, string> = {},
  fetcher: (url: string, init: RequestInit) => Response | Promise<Response> = fetch,
): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetcher(url, { headers, signal: abort.signal });
  let cancel = (): void => undefined;
  const inbox = new Inbox<SseMessage>();
  let paused = null as { until: Promise<void>; resume: () => void } | null;
  const client: SseClient = {
    response,
    inbox,
    comments: [],
    retry: undefined,
    next: (event, pred = () => true) => inbox.next((m) => m.event === event && pred(m), event),
    close: () => {
      abort.abort();
      cancel();
    },
    pause() {
      let resume!: () => void;
      paused ??= { until: new Promise<void>((resolve) => (resume = resolve)), resume };
    },
    resume() {
      paused?.resume();
      paused = null;
    },
    ended: Promise.resolve(),
  };
  if (!response.ok || !response.body) return client;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  cancel = () => void reader.cancel().catch(() => undefined);
  client.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        if (paused) await paused.until;
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              client.comments.push(line);
              inbox.push({ id: undefined, event: 'comment', data: { type: line } });
            } else {
              const i = line.indexOf(':');
              fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
            }
          }
          if (fields['retry']) client.retry = Number(fields['retry']);
          if (fields['data'] !== undefined) {
            inbox.push({ id: fields['id'], event: fields['event'] ?? 'message', data: JSON.parse(fields['data']) as Msg });
          }
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return client;
}

/** The WS and SSE clients a test file opens, closed together after each test. */
export function openedClients() {
  const ws: WsClient[] = [];
  const sse: SseClient[] = [];
  return {
    ws,
    sse,
    closeAll(): void {
      for (const c of ws.splice(0)) c.ws.terminate();
      for (const c of sse.splice(0)) c.close();
    },
  };
}
