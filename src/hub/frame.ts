import { eventBody, type JournalEvent, type Topic } from '../db/events.js';

/** Topics a client can subscribe to: the journaled ones plus live `values`. */
export type StreamTopic = Topic | 'values';
export const STREAM_TOPICS: readonly StreamTopic[] = ['alarms', 'config', 'system', 'items', 'values'];

/**
 * One outgoing message, serialized once and shared by every client that receives it:
 * the WebSocket text and the SSE block are built on first use and then reused.
 */
const encoder = new TextEncoder();

export class Frame {
  #sse: string | undefined;
  #wsBytes: Uint8Array | undefined;
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

  /** The WebSocket text frame's UTF-8 bytes, encoded once for every client. */
  get wsBytes(): Uint8Array {
    this.#wsBytes ??= encoder.encode(this.json);
    return this.#wsBytes;
  }

  /** The SSE block's UTF-8 bytes, encoded once for every client. */
  get sseBytes(): Uint8Array {
    this.#sseBytes ??= encoder.encode(this.sse);
    return this.#sseBytes;
  }
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
