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
 * Last-Event-ID; a replay's writes are paced by the backlog instead. A class, not closures:
 * every live stream holds one, and the hub's fan-out touches it per batch.
 */
export class SseStream implements ClientTransport {
  readonly kind = 'sse';
  #open = true;

  /** `onClose` is told once, whichever side ends the stream. */
  constructor(
    private readonly sink: SseSink,
    private readonly onClose: () => void,
  ) {
    sink.write(RETRY, true);
  }

  // One write per batch, of bytes joined once and shared by all clients.
  write(batch: FrameBatch, paced = false): boolean {
    return !this.#open || this.sink.write(batch.sseBytes, paced);
  }

  backlog(): number {
    return this.sink.backlog();
  }

  drained(): Promise<void> {
    return this.#open ? this.sink.drained() : Promise.resolve();
  }

  /** Ends the stream; `code` only tells a slow consumer (dropped with its queue) from an orderly end. */
  close(code: number, _reason?: string): void {
    if (!this.#open) return;
    this.gone();
    if (code === CLOSE.slowConsumer) this.sink.abort();
    else this.sink.end();
  }

  /** The peer went away (the sink saw its connection close). */
  gone(): void {
    if (!this.#open) return;
    this.#open = false;
    this.onClose();
  }

  /** A comment line that keeps proxies from timing the stream out. */
  ping(): void {
    if (this.#open) this.sink.write(PING);
  }
}

/** Bytes as one HTTP/1.1 chunk (size, CRLF, bytes, CRLF), built once per batch and shared by every stream that gets it. */
const chunks = new WeakMap<Uint8Array, Uint8Array>();
const CRLF = encoder.encode('\r\n');
function chunkOf(bytes: Uint8Array): Uint8Array {
  let chunk = chunks.get(bytes);
  if (!chunk) {
    const size = encoder.encode(`${bytes.length.toString(16)}\r\n`);
    chunk = new Uint8Array(size.length + bytes.length + CRLF.length);
    chunk.set(size);
    chunk.set(bytes, size.length);
    chunk.set(CRLF, size.length + bytes.length);
    chunks.set(bytes, chunk);
  }
  return chunk;
}

/**
 * The Node response as a sink. The first write goes through the response (it sends the
 * headers); after that each write is one pre-framed chunk straight to the socket, as the
 * WebSocket transport writes its frames: `res.write` would queue the chunk's size, bytes and
 * CRLF as three writes on a socket it corks until the next tick (every stream's bytes would
 * leave after the whole fan-out), allocating for each, per stream and event.
 */
export function responseSink(res: ResponseLike, maxBufferedBytes: number): SseSink {
  let socket: ResponseSocket | null = null;
  return {
    write(bytes, force = false) {
      if (!force && res.writableLength > maxBufferedBytes) return false;
      if (socket) {
        socket.write(chunkOf(bytes));
        return true;
      }
      res.write(bytes);
      // Straight to the socket from now on only if nothing is held in the response itself
      // (its bytes are on the socket, in order) and it frames chunks.
      if (res.chunkedEncoding && res.socket && res.writableLength === res.socket.writableLength) socket = res.socket;
      return true;
    },
    backlog: () => res.writableLength,
    // The response emits 'drain' only after a write of its own was refused: wait on the socket.
    drained: () => drained(socket ?? res),
    end: () => void res.end(),
    abort: () => void res.destroy(),
  };
}

type ResponseSocket = DrainSource & { write(bytes: Uint8Array): boolean };

/** The slice of node:http's ServerResponse a response sink uses. */
export interface ResponseLike extends DrainSource {
  write(bytes: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  /** Whether the body is sent in chunks (HTTP/1.1 without a content-length). */
  readonly chunkedEncoding: boolean;
  readonly socket: ResponseSocket | null;
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
