import type { ClientTransport } from './client.js';
import { CLOSE } from './close-codes.js';
import { drained, type DrainSource } from './drained.js';
import type { FrameBatch } from './frame.js';

const encoder = new TextEncoder();
const RETRY = encoder.encode('retry: 3000\n\n');
const PING = encoder.encode(': ping\n\n');

/** Where an SSE stream's bytes go: the Node response itself, or a web ReadableStream body. */
export interface SseSink {
  /** Queues bytes for the peer; false when over the buffer limit (nothing is queued then) unless `force`d. */
  write(bytes: Uint8Array, force?: boolean): boolean;
  /** Bytes queued and not yet taken by the peer's socket. */
  backlog(): number;
  /** Resolves once the queue has drained, or the peer has gone. */
  drained(): Promise<void>;
  /** Ends the stream after what is queued. */
  end(): void;
  /** Drops the stream and what is queued: a stalled peer must not hold its buffer. */
  abort(): void;
}

/**
 * The transport the hub writes to for one SSE client. Past the sink's limit a live write fails
 * and the hub ends the stream (slow consumer), from which the client resumes with
 * Last-Event-ID; a replay's writes are paced by the backlog instead.
 */
export function createSseStream(sink: SseSink, onClose: () => void) {
  let open = true;

  const finish = (): void => {
    if (!open) return;
    open = false;
    onClose();
  };

  const write = (bytes: Uint8Array, force = false): boolean => !open || sink.write(bytes, force);
  write(RETRY, true);

  const transport: ClientTransport = {
    kind: 'sse',
    // One write per batch, of bytes joined once and shared by all clients.
    write: (batch: FrameBatch, paced = false) => write(batch.sseBytes, paced),
    backlog: () => sink.backlog(),
    drained: () => (open ? sink.drained() : Promise.resolve()),
    close(code: number) {
      if (!open) return;
      finish();
      if (code === CLOSE.slowConsumer) sink.abort();
      else sink.end();
    },
  };

  return {
    transport,
    /** The peer went away (the sink saw its connection close). */
    gone: finish,
    /** A comment line that keeps proxies from timing the stream out. */
    ping: () => write(PING),
    get open() {
      return open;
    },
  };
}

/** The Node response as a sink: each write goes straight to the socket. */
export function responseSink(res: ResponseLike, maxBufferedBytes: number): SseSink {
  return {
    write(bytes, force = false) {
      if (!force && res.writableLength > maxBufferedBytes) return false;
      res.write(bytes);
      return true;
    },
    backlog: () => res.writableLength,
    drained: () => drained(res),
    end: () => void res.end(),
    abort: () => void res.destroy(),
  };
}

/** The slice of node:http's ServerResponse a response sink uses. */
export interface ResponseLike extends DrainSource {
  write(bytes: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
}

/**
 * A web ReadableStream as a sink, for runtimes without a Node response: its queue is the
 * client's buffer, filled when the peer stops reading; `pull` says the peer took some.
 * `onCancel` is the peer going away.
 */
export function readableStreamSink(maxBufferedBytes: number, onCancel: () => void): { sink: SseSink; body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resolve of woken) resolve();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: wake,
      cancel: () => {
        wake();
        onCancel();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: maxBufferedBytes }),
  );
  const backlog = () => maxBufferedBytes - (controller.desiredSize ?? maxBufferedBytes);
  const sink: SseSink = {
    write(bytes, force = false) {
      if (!force && (controller.desiredSize ?? 0) <= 0) return false;
      controller.enqueue(bytes);
      return true;
    },
    backlog,
    drained: () => (backlog() <= 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
    end: () => {
      wake();
      controller.close();
    },
    abort: () => {
      wake();
      controller.error(new Error('slow consumer'));
    },
  };
  return { sink, body };
}
