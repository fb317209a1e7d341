import { eventBody, type JournalEvent } from '../journal/events.js';
import { topicBit, type StreamTopic } from '../kernel/enums.js';

const encoder = new TextEncoder();

/**
 * One outgoing message, serialized once and shared by every client that receives it: its
 * WebSocket frame and SSE block are built on first use and then reused. Server frames are
 * unmasked (RFC 6455 5.1), so one WebSocket frame's bytes are the same for every client.
 */
export class Frame {
  #sse: string | undefined;
  #wsFrame: Uint8Array | undefined;
  #sseBytes: Uint8Array | undefined;

  constructor(
    /** The journal id, or null for messages that are not journaled (welcome, values, ...). */
    readonly id: number | null,
    readonly type: string,
    readonly topic: StreamTopic | null,
    readonly ownerId: number | null,
    readonly ruleId: number | null,
    /** The message as JSON: a WebSocket text frame, an SSE `data:` line. */
    readonly json: string,
  ) {}

  /** The SSE block: `id` (journaled events, or the snapshot's position), `event`, `data`. */
  get sse(): string {
    this.#sse ??= `${this.id === null ? '' : `id: ${this.id}\n`}event: ${this.type}\ndata: ${this.json}\n\n`;
    return this.#sse;
  }

  /** The whole WebSocket text frame, header and UTF-8 payload, ready for the socket. */
  get wsFrame(): Uint8Array {
    this.#wsFrame ??= wsTextFrame(encoder.encode(this.json));
    return this.#wsFrame;
  }

  /** The SSE block's UTF-8 bytes. */
  get sseBytes(): Uint8Array {
    this.#sseBytes ??= encoder.encode(this.sse);
    return this.#sseBytes;
  }
}

/**
 * Frames that go out together in one write. Their bytes are joined once per transport, so
 * every client that receives the whole batch is one socket write of the same buffer.
 */
export class FrameBatch {
  #ws: Uint8Array | undefined;
  #sse: Uint8Array | undefined;
  #topics: number | undefined;

  constructor(readonly frames: readonly Frame[]) {}

  /**
   * Its frames' topics as bits (`topicBit`), when each frame goes to everyone who has its topic;
   * -1 when one belongs to a user (items), so each client's frames are picked one by one.
   */
  get topicBits(): number {
    if (this.#topics === undefined) {
      let bits = 0;
      for (const f of this.frames) {
        if (f.ownerId !== null) {
          bits = -1;
          break;
        }
        if (f.topic !== null) bits |= topicBit(f.topic);
      }
      this.#topics = bits;
    }
    return this.#topics;
  }

  get wsBytes(): Uint8Array {
    this.#ws ??= join(this.frames.map((f) => f.wsFrame));
    return this.#ws;
  }

  get sseBytes(): Uint8Array {
    this.#sse ??= join(this.frames.map((f) => f.sseBytes));
    return this.#sse;
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An unmasked, final text frame (RFC 6455 5.2): FIN + opcode 1, then a 7, 16 or 64-bit length. */
export function wsTextFrame(payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const out = new Uint8Array(header + n);
  out[0] = 0x81;
  if (n < 126) {
    out[1] = n;
  } else if (n < 65_536) {
    out[1] = 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(n));
  }
  out.set(payload, header);
  return out;
}

export function eventFrame(e: JournalEvent): Frame {
  return new Frame(e.id, e.type, e.topic, e.owner_id, e.rule_id, JSON.stringify(eventBody(e)));
}

/**
 * A message that is not journaled, such as welcome or pong; `sseId` sets the SSE id line
 * (the snapshot's position), `topic` makes it subject to subscriptions (`values`).
 */
export function messageFrame(
  message: { type: string } & Record<string, unknown>,
  sseId: number | null = null,
  topic: StreamTopic | null = null,
): Frame {
  return new Frame(sseId, message.type, topic, null, null, JSON.stringify(message));
}
