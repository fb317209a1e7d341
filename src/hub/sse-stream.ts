import type { ClientTransport } from './client.js';
import { CLOSE } from './close-codes.js';
import type { FrameBatch } from './frame.js';

const encoder = new TextEncoder();
const RETRY = encoder.encode('retry: 3000\n\n');
const PING = encoder.encode(': ping\n\n');

/** Where an SSE stream's bytes go: the Node response itself, or a web ReadableStream body. */
export interface SseSink {
  /** Queues bytes for the peer; false when over the buffer limit (nothing is queued then). */
  write(bytes: Uint8Array): boolean;
  /** Ends the stream after what is queued. */
  end(): void;
  /** Drops the stream and what is queued: a stalled peer must not hold its buffer. */
  abort(): void;
}

/**
 * The transport the hub writes to for one SSE client. `open(onGone)` starts the sink and
 * tells it what to call when the peer goes away; past the sink's limit a write fails and the
 * hub ends the stream (slow consumer), from which the client resumes with Last-Event-ID.
 */
export function createSseStream(sink: SseSink, onClose: () => void) {
  let open = true;

  const finish = (): void => {
    if (!open) return;
    open = false;
    onClose();
  };

  const write = (bytes: Uint8Array): boolean => !open || sink.write(bytes);
  write(RETRY);

  const transport: ClientTransport = {
    kind: 'sse',
    // One write per batch, of bytes joined once and shared by all clients.
    write: (batch: FrameBatch) => write(batch.sseBytes),
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
    write(bytes) {
      if (res.writableLength > maxBufferedBytes) return false;
      res.write(bytes);
      return true;
    },
    end: () => void res.end(),
    abort: () => void res.destroy(),
  };
}

/** The slice of node:http's ServerResponse a response sink uses. */
export interface ResponseLike {
  readonly writableLength: number;
  write(bytes: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
}

/**
 * A web ReadableStream as a sink, for runtimes without a Node response: its queue is the
 * client's buffer, filled when the peer stops reading. `onCancel` is the peer going away.
 */
export function readableStreamSink(maxBufferedBytes: number, onCancel: () => void): { sink: SseSink; body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>(
    { start: (c) => void (controller = c), cancel: () => onCancel() },
    new ByteLengthQueuingStrategy({ highWaterMark: maxBufferedBytes }),
  );
  const sink: SseSink = {
    write(bytes) {
      if ((controller.desiredSize ?? 0) <= 0) return false;
      controller.enqueue(bytes);
      return true;
    },
    end: () => controller.close(),
    abort: () => controller.error(new Error('slow consumer')),
  };
  return { sink, body };
}
