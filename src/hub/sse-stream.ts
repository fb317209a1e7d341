import type { ClientTransport } from './client.js';
import type { FrameBatch } from './frame.js';

const encoder = new TextEncoder();

/**
 * The body of an SSE response as a byte stream, and the transport the hub writes to. The
 * stream's queue is the client's buffer: when the peer stops reading, the server stops
 * pulling, the queue grows, and past `maxBufferedBytes` the stream ends (slow consumer).
 */
export function createSseStream(maxBufferedBytes: number, onClose: () => void) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;

  const finish = () => {
    if (!open) return;
    open = false;
    onClose();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        controller.enqueue(encoder.encode('retry: 3000\n\n'));
      },
      cancel: finish, // the client went away
    },
    new ByteLengthQueuingStrategy({ highWaterMark: maxBufferedBytes }),
  );

  function enqueue(bytes: Uint8Array): boolean {
    if (!open) return true;
    if ((controller.desiredSize ?? 0) <= 0) return false;
    controller.enqueue(bytes);
    return true;
  }

  const PING = encoder.encode(': ping\n\n');

  const transport: ClientTransport = {
    kind: 'sse',
    // One chunk (one socket write) per batch, of bytes joined once and shared by all clients.
    write: (batch: FrameBatch) => enqueue(batch.sseBytes),
    close() {
      if (!open) return;
      finish();
      controller.close();
    },
  };

  return {
    body,
    transport,
    /** A comment line that keeps proxies from timing the stream out. */
    ping: () => enqueue(PING),
    get open() {
      return open;
    },
  };
}
