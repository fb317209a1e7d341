import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Inbox, type Msg, type WsClient } from './stream-clients.js';

/**
 * A WebSocket client over a plain TCP socket whose reading can stop and start again, as a
 * client on a stalled link would: the server's writes back up. The `ws` package reaches its
 * socket only through a private field, and under Bun `ws` is Bun's own client, with no socket
 * to pause at all. Just enough of RFC 6455: the handshake, unmasked server frames, masked
 * client frames, pongs and the close handshake.
 */
export function pausableWsClient(url: string, headers: Record<string, string> = {}): WsClient & { pause(): void; resume(): void } {
  const target = new URL(url);
  const socket = connect({ host: target.hostname, port: Number(target.port) });
  const inbox = new Inbox<Msg>();
  let state = 0; // CONNECTING, OPEN, CLOSING, CLOSED as in WebSocket.readyState
  let received = Buffer.alloc(0);
  let closeFrame: { code: number; reason: string } | undefined;
  let resolveClosed!: (c: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const pending: Buffer[] = [];

  const frame = (opcode: number, payload: Buffer) => {
    const mask = randomBytes(4);
    const n = payload.length;
    if (n > 0xffff) throw new Error('the test client sends messages under 64 KiB only');
    const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
    const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    return Buffer.concat([head, mask, body]);
  };
  const write = (bytes: Buffer) => (state === 1 ? socket.write(bytes) : pending.push(bytes));

  socket.write(
    [
      `GET ${target.pathname}${target.search} HTTP/1.1`,
      `Host: ${target.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n'),
  );

  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (state === 0) {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!received.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) return void socket.destroy();
      received = received.subarray(end + 4);
      state = 1;
      for (const b of pending.splice(0)) socket.write(b);
    }
    for (;;) {
      if (received.length < 2) return;
      const opcode = received[0]! & 0x0f;
      let length = received[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (received.length < 4) return;
        length = received.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (received.length < 10) return;
        length = Number(received.readBigUInt64BE(2));
        at = 10;
      }
      if (received.length < at + length) return;
      const payload = received.subarray(at, at + length);
      received = received.subarray(at + length);
      if (opcode === 0x1) inbox.push(JSON.parse(payload.toString('utf8')) as Msg);
      else if (opcode === 0x9) write(frame(0xa, Buffer.from(payload)));
      else if (opcode === 0x8) {
        closeFrame = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') };
        if (state === 1) socket.end(frame(0x8, Buffer.from(payload.subarray(0, 2))));
        state = 2;
      }
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    state = 3;
    resolveClosed(closeFrame ?? { code: 1006, reason: '' });
  });

  const facade = {
    OPEN: 1,
    get readyState() {
      return state;
    },
    terminate: () => socket.destroy(),
    close: (code = 1000) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      write(frame(0x8, payload));
      state = 2;
    },
  };
  return {
    ws: facade as unknown as WsClient['ws'],
    inbox,
    send: (m) => void write(frame(0x1, Buffer.from(typeof m === 'string' ? m : JSON.stringify(m)))),
    next: (type, pred = () => true) => inbox.next((m) => m.type === type && pred(m), type),
    closed,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}
