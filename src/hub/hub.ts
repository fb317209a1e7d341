import type { Clock } from '../clock.js';
import type { JournalEvent } from '../db/events.js';
import { allowedTopics, Subscription, type ClientTransport, type StreamUser } from './client.js';
import { CLOSE } from './close-codes.js';
import { eventFrame, FrameBatch, messageFrame, type Frame, type StreamTopic } from './frame.js';
import { createHubStats } from './hub-stats.js';

/** Where the hub reads what it replays; the journal and the engine behind it. */
export interface HubSource {
  /** Events after `afterId` the viewer may see, oldest first. */
  readEvents(afterId: number, limit: number, viewerId: number): Promise<JournalEvent[]>;
  /** The oldest id still kept (last + 1 when the journal is empty) and the newest. */
  range(): Promise<{ first: number; last: number }>;
  /** The active alarms, for a snapshot. */
  activeAlarms(): unknown[];
}

/** A live value for the throttled `values` topic. */
export interface LiveValue {
  datapoint_id: number;
  value: number | null;
  quality: 'good' | 'bad';
  ts: string;
}

type ConnectionState = 'replaying' | 'live' | 'closed';

/** One stream: its user, transport and subscription, and live frames held while it replays. */
export interface Connection {
  readonly id: number;
  readonly user: StreamUser;
  readonly transport: ClientTransport;
  readonly subscription: Subscription;
  state: ConnectionState;
  pending: Frame[];
}

const REPLAY_PAGE = 500;
// Live frames held for one replaying client; past this it could never catch up.
const MAX_PENDING = 20_000;
const VALUES_INTERVAL_MS = 250; // SPEC 5: at most 4 `values` messages a second

/**
 * The event hub: every journaled event goes to every connection allowed to see it, serialized
 * once. A connection that resumes replays from the journal first, while live events queue, so
 * nothing is lost or sent twice between the replay (or snapshot) and the live stream.
 */
export function createHub(source: HubSource, clock: Clock, heartbeatMs: number) {
  const connections = new Set<Connection>();
  const stats = createHubStats(connections);
  let nextId = 1;
  let values = new Map<number, LiveValue>();
  let valuesTimer: unknown;

  const visible = (conn: Connection, f: Frame) =>
    (f.ownerId === null || f.ownerId === conn.user.id) && conn.subscription.wants(f);

  function deliver(conn: Connection, batch: FrameBatch): void {
    if (conn.state === 'closed') return;
    // A client that wants every frame (the usual case) gets the batch's shared bytes.
    const chosen = batch.frames.every((f) => visible(conn, f)) ? batch : new FrameBatch(batch.frames.filter((f) => visible(conn, f)));
    const count = chosen.frames.length;
    if (count === 0) return;
    if (conn.transport.write(chosen)) {
      stats.delivered += count;
    } else {
      stats.dropped += count;
      stats.slowConsumerCloses += 1;
      close(conn, CLOSE.slowConsumer, 'slow consumer');
    }
  }

  function send(conn: Connection, message: { type: string } & Record<string, unknown>, sseId: number | null = null) {
    deliver(conn, new FrameBatch([messageFrame(message, sseId)]));
  }

  function close(conn: Connection, code: number, reason: string) {
    if (conn.state === 'closed') return;
    conn.state = 'closed';
    conn.pending = [];
    connections.delete(conn);
    conn.transport.close(code, reason);
  }

  async function replay(conn: Connection, lastEventId: number | undefined): Promise<number> {
    const { first, last } = await source.range();
    if (lastEventId !== undefined && lastEventId <= last && lastEventId >= first - 1) {
      let cursor = lastEventId;
      for (;;) {
        const page = await source.readEvents(cursor, REPLAY_PAGE, conn.user.id);
        if (conn.state === 'closed') return cursor;
        deliver(conn, new FrameBatch(page.map(eventFrame)));
        if (page.length > 0) cursor = page.at(-1)!.id;
        if (page.length < REPLAY_PAGE) return Math.max(cursor, last);
      }
    }
    if (lastEventId !== undefined) {
      const reason = lastEventId > last ? 'last_event_id is ahead of the journal' : 'events after last_event_id are no longer kept';
      send(conn, { type: 'sync_required', reason });
    }
    const wantsAlarms = conn.subscription.topics.has('alarms');
    send(conn, { type: 'snapshot', last_event_id: last, active: wantsAlarms ? source.activeAlarms() : [] }, last);
    return last;
  }

  function flushValues() {
    valuesTimer = undefined;
    if (values.size === 0) return;
    const batch = new FrameBatch([messageFrame({ type: 'values', topic: 'values', values: [...values.values()] }, null, 'values')]);
    values = new Map();
    for (const conn of connections) if (conn.state === 'live') deliver(conn, batch);
  }

  return {
    stats,

    /** Registers a stream and sends welcome, then replay or snapshot, then goes live. */
    async open(user: StreamUser, transport: ClientTransport, topics: StreamTopic[] | undefined, lastEventId?: number): Promise<Connection> {
      const allowed = allowedTopics(user);
      const chosen = topics ? allowed.filter((t) => topics.includes(t)) : allowed;
      const conn: Connection = { id: nextId++, user, transport, subscription: new Subscription(chosen), state: 'replaying', pending: [] };
      connections.add(conn);
      send(conn, { type: 'welcome', user: { id: user.id, username: user.username }, topics: chosen, heartbeat_ms: heartbeatMs });
      try {
        const position = await replay(conn, lastEventId);
        if (conn.state === 'closed') return conn;
        const held = conn.pending.filter((f) => f.id === null || f.id > position);
        conn.pending = [];
        conn.state = 'live';
        deliver(conn, new FrameBatch(held));
      } catch (err) {
        close(conn, CLOSE.internal, 'replay failed');
        throw err;
      }
      return conn;
    },

    /** Hands journaled events to every connection, after the commit that stored them. */
    publish(events: JournalEvent[]): void {
      const frames = events.map(eventFrame);
      const batch = new FrameBatch(frames);
      stats.published += frames.length;
      for (const conn of connections) {
        if (conn.state === 'live') deliver(conn, batch);
        else if (conn.state === 'replaying') {
          conn.pending.push(...frames);
          if (conn.pending.length > MAX_PENDING) close(conn, CLOSE.slowConsumer, 'slow consumer');
        }
      }
    },

    /** Queues live values; connections get at most one `values` message per 250 ms. */
    publishValues(batch: LiveValue[]): void {
      for (const v of batch) values.set(v.datapoint_id, v);
      valuesTimer ??= clock.setTimer(clock.now() + VALUES_INTERVAL_MS, flushValues);
    },

    /** Changes a connection's topics (and rule filter); returns the topics it now has. */
    subscribe(conn: Connection, topics: StreamTopic[], ruleIds?: number[]): StreamTopic[] {
      for (const t of allowedTopics(conn.user)) if (topics.includes(t)) conn.subscription.topics.add(t);
      if (ruleIds) conn.subscription.ruleIds = new Set(ruleIds);
      return [...conn.subscription.topics];
    },

    unsubscribe(conn: Connection, topics: StreamTopic[]): StreamTopic[] {
      for (const t of topics) conn.subscription.topics.delete(t);
      return [...conn.subscription.topics];
    },

    send,
    close,

    /** Forgets a connection its transport has seen close. */
    closed(conn: Connection): void {
      conn.state = 'closed';
      conn.pending = [];
      connections.delete(conn);
    },

    /** Ends every stream (shutdown: 1001 going away). */
    closeAll(code: number, reason: string): void {
      for (const conn of [...connections]) close(conn, code, reason);
      if (valuesTimer !== undefined) clock.clearTimer(valuesTimer);
      valuesTimer = undefined;
    },

    connections: () => connections as ReadonlySet<Connection>,
  };
}

export type Hub = ReturnType<typeof createHub>;
