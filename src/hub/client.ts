import { hasPermission } from '../auth/permissions.js';
import { readableTopics } from '../auth/topic-access.js';
import type { Audiences } from './ws-peer.js';
import { STREAM_TOPICS, topicBit, type StreamTopic } from '../kernel/enums.js';
import type { Frame, FrameBatch } from './frame.js';

/** What a transport (WebSocket, SSE) gives the hub for one connection. */
export interface ClientTransport {
  readonly kind: 'ws' | 'sse';
  /**
   * Queues a batch for the peer in one write; false when the peer is over its buffer limit
   * (nothing is written then). A `paced` write (replay) skips the limit: its sender waits for
   * the backlog to drain before the next one instead.
   */
  write(batch: FrameBatch, paced?: boolean): boolean;
  /** Bytes written for the peer that its socket has not taken yet. */
  backlog(): number;
  /** Resolves once the backlog has drained, or the connection is gone. */
  drained(): Promise<void>;
  /** Ends the connection: `code` is a WebSocket close code, ignored by SSE. */
  close(code: number, reason: string): void;
  /**
   * Where the server fans out natively (Bun's pub/sub), the audiences this connection can join,
   * and whether it is past its buffer limit (the hub checks after each fan-out).
   */
  readonly audiences?: Audiences;
  congested?(): boolean;
}

/** The user a stream belongs to. */
export interface StreamUser {
  id: number;
  username: string;
  permissions: readonly string[];
  /** The version of the credentials the stream was opened with; another one revokes it. */
  tokenVersion: number;
}

/** Topics a user may receive: the journal topics they may read, and live values with `alarms:read`. */
export function allowedTopics(user: StreamUser): StreamTopic[] {
  const topics: StreamTopic[] = readableTopics(user.permissions);
  if (hasPermission(user.permissions, 'alarms:read')) topics.push('values');
  return topics;
}

/**
 * A set of stream topics as bits: every connection holds one, and a Set of five strings costs
 * more than the rest of an idle connection's state.
 */
export class TopicSet implements Iterable<StreamTopic> {
  #bits = 0;

  constructor(topics: Iterable<StreamTopic> = []) {
    for (const t of topics) this.add(t);
  }

  has(topic: StreamTopic): boolean {
    return (this.#bits & topicBit(topic)) !== 0;
  }

  /** Whether it holds every topic of `bits` (`topicBit`s or'ed together). */
  hasAll(bits: number): boolean {
    return (this.#bits & bits) === bits;
  }

  add(topic: StreamTopic): void {
    this.#bits |= topicBit(topic);
  }

  delete(topic: StreamTopic): void {
    this.#bits &= ~topicBit(topic);
  }

  get size(): number {
    let n = 0;
    for (let b = this.#bits; b !== 0; b &= b - 1) n++;
    return n;
  }

  *[Symbol.iterator](): Iterator<StreamTopic> {
    for (const t of STREAM_TOPICS) if (this.has(t)) yield t;
  }
}

/**
 * A connection's subscription: the topics it is a set of, and optionally which rules of
 * `alarms`. One object, not a set inside it: every idle connection holds one.
 */
export class Subscription extends TopicSet {
  ruleIds: Set<number> | null = null;

  /** Whether every frame of `batch` reaches this connection: the usual case, found without a look at each frame. */
  wantsAll(batch: FrameBatch): boolean {
    const bits = batch.topicBits;
    return bits >= 0 && this.ruleIds === null && this.hasAll(bits);
  }

  /** Whether a frame for a topic reaches this connection (owner checks happen in the hub). */
  wants(frame: Frame): boolean {
    if (frame.topic === null) return true;
    if (!this.has(frame.topic)) return false;
    if (this.ruleIds && frame.topic === 'alarms' && frame.ruleId !== null) return this.ruleIds.has(frame.ruleId);
    return true;
  }
}
