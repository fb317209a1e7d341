import { hasPermission, type Permission } from '../auth/permissions.js';
import type { Clock } from '../kernel/clock.js';
import type { ClientTransport, StreamUser } from './client.js';
import { parseClientMessage, type ClientMessage } from './client-messages.js';
import { CLOSE } from './close-codes.js';
import type { Audiences, WsHandlers, WsPeer } from './ws-peer.js';
import type { StreamTopic } from '../kernel/enums.js';
import type { Frame, FrameBatch } from './frame.js';
import type { Connection, Hub } from './hub.js';
import { refilled, type Bucket } from './rate-guard.js';
import type { Deadline } from './deadlines.js';

/** What every session shares (one object for all of them). */
export interface WsSessionDeps {
  hub: Hub;
  clock: Clock;
  /** Verifies an access token sent in an `auth` message. */
  authenticate(token: string): Promise<{ user: StreamUser; expiresAt: number } | undefined>;
  /** Acknowledges an alarm as `POST /api/alarms/{id}/ack` does; rejects with an AppError. */
  ack(user: StreamUser, ruleId: number, comment: string | undefined): Promise<unknown>;
  /** Heartbeats and deadlines: sessions register when they start and leave when they close. */
  heartbeats: {
    track(session: WsSession): void;
    untrack(session: WsSession): void;
    deadline(session: WsSession, atMs: number): void;
  };
  maxBufferedBytes: number;
}

const AUTH_TIMEOUT_MS = 5000;
/** Client messages: 50 at once, 20 a second after that; beyond it is a flood. */
const MESSAGES: Bucket = { burst: 50, perSecond: 20 };

type SessionState = 'awaiting_auth' | 'starting' | 'open' | 'closed';

/**
 * One WebSocket connection: auth, the client's messages, and delivery of hub frames. It is the
 * hub's transport for the connection and the peer's handlers at once: one object per socket,
 * its methods shared, since idle connections are what a server holds most of.
 */
export class WsSession implements ClientTransport, WsHandlers, Deadline {
  readonly kind = 'ws';
  state: SessionState = 'awaiting_auth';
  lastSeen: number;
  /** Registered with the hub (maybe still replaying) / live and taking client messages. */
  #opened: Connection | undefined;
  #conn: Connection | undefined;
  /** The message bucket (MESSAGES): tokens left as of `#tokensAt`. */
  #tokens = MESSAGES.burst;
  #tokensAt: number;
  /** Deadline: the sign-in window, then the token's expiry (kept by the stream server's queue). */
  deadlineAt = 0;
  deadlineSlot = -1;

  constructor(
    readonly peer: WsPeer,
    private readonly deps: WsSessionDeps,
    /** A permission the endpoint requires (`/ws/alarms`: alarms:read). */
    private readonly requires: Permission | null,
  ) {
    this.lastSeen = this.#tokensAt = deps.clock.now();
    deps.heartbeats.track(this);
  }

  /** The deadline passed: the token expired once open, else the sign-in window closed. */
  due(): void {
    if (this.#opened) this.close(CLOSE.unauthenticated, 'token expired');
    else if (this.state === 'awaiting_auth') this.close(CLOSE.unauthenticated, 'no auth message within 5 s');
  }

  /** The peer answered a ping. */
  pong(): void {
    this.lastSeen = this.deps.clock.now();
  }

  /** Starts with credentials from the upgrade request, or waits 5 s for an `auth` message. */
  begin(
    pre: { user: StreamUser; expiresAt: number } | 'none' | 'invalid',
    lastEventId: number | undefined,
    topics: StreamTopic[] | undefined,
  ) {
    if (pre === 'invalid') return this.close(CLOSE.unauthenticated, 'invalid or expired token');
    if (pre === 'none') return this.deps.heartbeats.deadline(this, this.deps.clock.now() + AUTH_TIMEOUT_MS);
    void this.#start(pre, lastEventId, topics);
  }

  async #start(session: { user: StreamUser; expiresAt: number }, lastEventId: number | undefined, topics: StreamTopic[] | undefined) {
    const { clock, hub } = this.deps;
    if (session.expiresAt <= clock.now()) return this.close(CLOSE.unauthenticated, 'token expired');
    const { requires } = this;
    if (requires !== null && !hasPermission(session.user.permissions, requires)) return this.close(CLOSE.forbidden, 'missing permission');
    if (this.state === 'closed') return;
    if (!hub.canOpen(session.user.id)) return this.close(CLOSE.tooManyStreams, 'too many streams for this user');
    this.state = 'starting';
    this.deps.heartbeats.deadline(this, session.expiresAt);
    const { conn, ready } = hub.open(session.user, this, { topics, lastEventId, requires });
    this.#opened = conn;
    if (
      await ready.then(
        () => true,
        () => false,
      )
    )
      this.#conn = conn;
    if (this.state === 'starting') this.state = 'open';
  }

  // ClientTransport: how the hub writes to this connection.

  write(batch: FrameBatch, paced = false): boolean {
    if (!this.peer.open) return true;
    if (!paced && this.congested()) return false;
    this.peer.sendBatch(batch);
    return true;
  }

  backlog(): number {
    return this.peer.backlog();
  }

  drained(): Promise<void> {
    return this.peer.drained();
  }

  get audiences(): Audiences | undefined {
    return this.peer.audiences;
  }

  congested(): boolean {
    return this.peer.backlog() > this.deps.maxBufferedBytes;
  }

  // WsHandlers: what the peer does.

  /** Handles one message from the client; `null` is a binary one, which the protocol does not have. */
  message(text: string | null): void {
    const { clock, hub } = this.deps;
    const now = clock.now();
    this.lastSeen = now;
    this.#tokens = refilled(MESSAGES, this.#tokens, now - this.#tokensAt) - 1;
    this.#tokensAt = now;
    if (this.#tokens < 0) return this.close(CLOSE.policyViolation, 'message flood');
    const parsed = parseClientMessage(text ?? '');
    if (!parsed.ok) return this.#error('bad_message', parsed.error);
    const m: ClientMessage = parsed.message;
    if (this.state === 'awaiting_auth') {
      if (m.type !== 'auth') return this.#error('bad_message', 'send {"type":"auth"} first');
      this.state = 'starting';
      void this.deps.authenticate(m.access_token).then((session) => {
        if (this.state === 'closed') return;
        if (!session) return this.close(CLOSE.unauthenticated, 'invalid or expired token');
        return this.#start(session, m.last_event_id, m.topics);
      });
      return;
    }
    const conn = this.#conn;
    if (!conn) return this.#error('bad_message', 'the stream is still starting');
    switch (m.type) {
      case 'auth':
        return this.#error('bad_message', 'already authenticated');
      case 'subscribe':
        return hub.send(conn, { type: 'subscribed', topics: hub.subscribe(conn, m.topics, m.rule_ids) });
      case 'unsubscribe':
        return hub.send(conn, { type: 'unsubscribed', topics: hub.unsubscribe(conn, m.topics) });
      case 'ping':
        return hub.send(conn, { type: 'pong', ...(m.id !== undefined && { id: m.id }), ts: new Date(now).toISOString() });
      case 'ack':
        this.deps.ack(conn.user, m.rule_id, m.comment).catch((err: { code?: string; message?: string }) => {
          this.#error(err.code ?? 'internal', err.message ?? 'ack failed');
        });
        return;
      default: {
        const unreachable: never = m;
        return unreachable;
      }
    }
  }

  #error(code: string, message: string) {
    if (this.peer.open) this.peer.sendText(JSON.stringify({ type: 'error', code, message }));
  }

  /** Sends the heartbeat and a protocol ping; drops a peer silent for two intervals. */
  heartbeat(frame: Frame, intervalMs: number): void {
    // A socket that has not signed in gets nothing: it has 5 s to authenticate, then it is closed.
    if (this.state !== 'open') return;
    if (this.deps.clock.now() - this.lastSeen > 2 * intervalMs) {
      this.peer.terminate();
      return;
    }
    if (!this.peer.open) return;
    this.peer.sendText(frame.json);
    this.peer.ping();
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.deps.heartbeats.untrack(this);
    if (this.#opened) this.deps.hub.closed(this.#opened);
    this.peer.close(code, reason);
  }

  /** The socket closed from the other side. */
  closed(): void {
    this.close(CLOSE.goingAway, 'closed');
  }
}
