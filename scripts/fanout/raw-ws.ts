import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/**
 * A minimal WebSocket client: the opening handshake (RFC 6455 4.1), then a frame walker that
 * reads each frame header and skips over the payload (server frames are unmasked, 5.2). It
 * does what any client must do and nothing more: the `ws` client library (frame objects, an
 * event per message) made the client process, not the server, the bottleneck of this bench.
 */
export interface RawWs {
  /** Sends a close frame (1000) and ends the socket. */
  close(): void;
  /** Resolves with how the connection ended: the server's close code and reason if it sent one. */
  closed: Promise<string>;
}

/**
 * Called once per text frame that has fully arrived; `start`..`end` is its payload inside
 * `chunk` when the whole payload is in that chunk, otherwise `start` is -1.
 */
export type OnText = (chunk: Buffer, start: number, end: number) => void;

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;

export function openRawWs(url: string, headers: Record<string, string>, onText: OnText): Promise<RawWs> {
  const target = new URL(url);
  const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
  const request = [
    `GET ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  socket.on('connect', () => socket.write(request));

  const frames = new FrameWalker(onText);
  let head: Buffer = Buffer.alloc(0);
  let upgraded = false;
  let endedHow: (how: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (endedHow = resolve));

  function sendClose() {
    if (socket.destroyed) return;
    // Client frames are masked: FIN + close opcode, then the masked 2-byte code 1000.
    const mask = randomBytes(4);
    socket.end(Buffer.from([0x88, 0x82, ...mask, 0x03 ^ mask[0]!, 0xe8 ^ mask[1]!]));
  }

  return new Promise<RawWs>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.toString('latin1', 0, head.indexOf('\r\n'));
        if (!status.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          return reject(new Error(status));
        }
        upgraded = true;
        resolve({ close: sendClose, closed });
        chunk = head.subarray(end + 4);
      }
      frames.push(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!upgraded) reject(new Error(err.code ?? err.message));
    });
    socket.on('close', () => {
      if (!upgraded) reject(new Error('closed during handshake'));
      endedHow(frames.closeReason ?? 'socket closed without a close frame');
    });
  });
}

/** Walks unmasked server frames across chunk boundaries. */
class FrameWalker {
  #header = Buffer.alloc(10);
  #headerHave = 0;
  #opcode = 0;
  #remaining = -1; // payload bytes still to come; -1 while reading a header
  #headerEnd = -1; // where the current frame's payload starts, if in the current chunk
  #control: number[] = []; // a close frame's payload (at most 125 bytes)
  closeReason: string | undefined;

  constructor(private readonly onText: OnText) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#remaining < 0) {
        i = this.#readHeader(chunk, i);
        if (this.#remaining < 0) return; // the header continues in the next chunk
        if (this.#remaining === 0) this.#frameDone(chunk, -1, -1);
        continue;
      }
      const start = i;
      const take = Math.min(this.#remaining, chunk.length - i);
      const whole = take === this.#remaining && this.#headerEnd === start;
      if (this.#opcode === OP_CLOSE) for (let k = i; k < i + take; k++) this.#control.push(chunk[k]!);
      i += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#frameDone(chunk, whole ? start : -1, i);
    }
    this.#headerEnd = -1;
  }

  #readHeader(chunk: Buffer, i: number): number {
    while (i < chunk.length) {
      this.#header[this.#headerHave++] = chunk[i++]!;
      if (this.#headerHave < 2) continue;
      const len7 = this.#header[1]! & 0x7f;
      const size = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (this.#headerHave < size) continue;
      this.#opcode = this.#header[0]! & 0x0f;
      this.#remaining = len7 === 126 ? this.#header.readUInt16BE(2) : len7 === 127 ? Number(this.#header.readBigUInt64BE(2)) : len7;
      this.#headerHave = 0;
      this.#headerEnd = i;
      return i;
    }
    this.#headerEnd = -1;
    return i;
  }

  #frameDone(chunk: Buffer, start: number, end: number): void {
    this.#remaining = -1;
    if (this.#opcode === OP_TEXT) this.onText(chunk, start, end);
    else if (this.#opcode === OP_CLOSE) {
      const payload = Buffer.from(this.#control);
      this.closeReason = payload.length >= 2 ? `close ${payload.readUInt16BE(0)} ${payload.toString('utf8', 2)}`.trim() : 'close';
      this.#control = [];
    }
  }
}
