import { hasPermission, type Permission } from '../auth/permissions.js';
import type { Histogram } from '../ops/histogram.js';
import type { Clock } from '../kernel/clock.js';
import type { JournalEvent, ReplayQuery, ReplayRow } from '../journal/events.js';
import { TOPICS, type StreamTopic } from '../kernel/enums.js';
import { allowedTopics, Subscription, type ClientTransport, type StreamUser } from './client.js';
import { CLOSE } from './close-codes.js';
import { eventFrame, Frame, FrameBatch, messageFrame } from './frame.js';
import { createHubStats } from './hub-stats.js';
import { audienceOf, nativeFanout } from './native-fanout.js';
import { replayTurns } from './replay-turns.js';
import type { Quality } from '../kernel/enums.js';

/** Where the hub reads what it replays; the journal and the engine behind it. */
export interface HubSource {
  /** One page of a replay, filtered by topic and owner (see `readReplayPage`). */
  readPage(query: ReplayQuery): Promise<{ rows: ReplayRow[]; through: number }>;
  /** The oldest id still kept (last + 1 when the journal is empty) and the newest. */
  range(): Promise<{ first: number; last: number }>;
  /** The active alarms, for a snapshot. */
  /** Read after range(): it may show an event past `last`, never miss one before it. */
  activeAlarms(): unknown[] | Promise<unknown[]>;
}

export interface HubOptions {
  heartbeatMs: number;
  /** Streams one user may hold at once (SPEC 10, MAX_STREAMS_PER_USER). */
  maxStreamsPerUser: number;
  /** Each published batch's oldest event: from its journal time to here (the metrics' delivery latency). */
  deliveryLatency?: Histogram;
  /** Told when a stream opens and when it ends (the log's line per stream). */
  onStream?(change: 'open' | 'close', conn: Connection): void;
}

/** A live value for the throttled `values` topic. */
export interface LiveValue {
  datapoint_id: number;
  value: number | null;
  quality: Quality;
  ts: string;
}

type ConnectionState = 'replaying' | 'live' | 'closed';

/** One stream: its user, transport and subscription, and how far into the journal it has got. */
export interface Connection {
  readonly id: number;
  /** The user as of the last check; replaced when their account changes. */
  user: StreamUser;
  readonly transport: ClientTransport;
  readonly subscription: Subscription;
  /** What the endpoint requires (`/ws/alarms`: alarms:read), checked again when the role changes. */
  readonly requires: Permission | null;
  state: ConnectionState;
  /** The last journal id given to (or passed over for) this client; live frames up to it are not sent again. */
  position: number;
  /** The server-side audiences it hears, when the runtime fans out natively (Bun); else null. */
  joined: readonly string[] | null;
}

export interface OpenOptions {
  topics?: StreamTopic[] | undefined;
  lastEventId?: number | undefined;
  requires?: Permission | null;
}

const REPLAY_PAGE = 250;
// Ids one replay query scans: a few milliseconds of SQLite, however few of them match.
const REPLAY_SCAN = 4096;
// A replay writes its next page once the client has taken all but this much of the last.
const REPLAY_LOW_WATER = 256 * 1024;
const VALUES_INTERVAL_MS = 250; // SPEC 5: at most 4 `values` messages a second
// Streams opening at the same journal position this close together share one snapshot.
const SNAPSHOT_SHARE_MS = VALUES_INTERVAL_MS;

const sameUser = (a: StreamUser, b: StreamUser) =>
  a.username === b.username && a.tokenVersion === b.tokenVersion && a.permissions === b.permissions;

// A function, not an inline test: TypeScript would keep a narrowed state across the awaits.
const gone = (conn: Connection) => conn.state === 'closed';
const snapshotFrame = (last: number, active: unknown[]) => messageFrame({ type: 'snapshot', last_event_id: last, active }, last);
const replayFrame = (r: ReplayRow) => new Frame(r.id, r.type, r.topic, r.owner_id, r.rule_id, r.json);

/**
 * The event hub: every journaled event goes to every connection allowed to see it, serialized
 * once. A connection that resumes replays from the journal at the pace it reads, page by page,
 * and goes live once it has caught up with what was published; nothing is held in memory for
 * it meanwhile, and nothing is lost or sent twice between the replay (or snapshot) and live.
 */
export function createHub(source: HubSource, clock: Clock, options: HubOptions) {
  const connections = new Set<Connection>();
  /** The live connections the hub writes to itself: not those an audience carries (Bun), nor replays. */
  const direct = new Set<Connection>();
  /** Each user's open streams, and the user object they share (one per user, not one per stream). */
  const perUser = new Map<number, { streams: number; user: StreamUser }>();
  const stats = createHubStats(connections);
  let nextId = 1;
  let lastPublished = 0;
  let values = new Map<number, LiveValue>();
  let valuesTimer: unknown;
  const nextTurn = replayTurns();
  let sharedSnapshot: { last: number; at: number; frame: Frame | Promise<Frame> } | undefined;
  const fanout = nativeFanout<Connection>();

  const visible = (conn: Connection, f: Frame) => (f.ownerId === null || f.ownerId === conn.user.id) && conn.subscription.wants(f);

  function deliver(conn: Connection, batch: FrameBatch): void {
    if (conn.state === 'closed') return;
    const { frames } = batch;
    let count = frames.length;
    if (!conn.subscription.wantsAll(batch)) {
      count = 0;
      for (const f of frames) if (visible(conn, f)) count++;
      if (count === 0) return; // e.g. a `values` batch to a stream of alarms only: nothing built for it
    }
    // A client that wants every frame (the usual case) gets the batch's shared bytes.
    const chosen = count === frames.length ? batch : new FrameBatch(frames.filter((f) => visible(conn, f)));
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

  function forget(conn: Connection): void {
    conn.state = 'closed';
    direct.delete(conn);
    if (!connections.delete(conn)) return;
    options.onStream?.('close', conn);
    fanout.join(conn, []);
    const mine = perUser.get(conn.user.id);
    if (mine && --mine.streams === 0) perUser.delete(conn.user.id);
  }

  /**
   * The user object a new stream (`count`) or a changed account shares with the user's other
   * streams: the one they hold when it is the same user, else this one from now on.
   */
  function sharedUser(user: StreamUser, count = true): StreamUser {
    const mine = perUser.get(user.id);
    if (!mine) {
      if (count) perUser.set(user.id, { streams: 1, user });
      return user;
    }
    if (count) mine.streams++;
    if (!sameUser(mine.user, user)) mine.user = user;
    return mine.user;
  }

  function close(conn: Connection, code: number, reason: string) {
    if (conn.state === 'closed') return;
    forget(conn);
    conn.transport.close(code, reason);
  }

  /**
   * The snapshot of the active alarms at journal position `last`, shared by the streams that
   * open there within SNAPSHOT_SHARE_MS: a reconnect storm reads and serializes it a few times,
   * not once per stream. Any snapshot read after the journal stood at `last` is one for `last`
   * (what changes after it comes live); only the values in it age, by less than `values` would.
   */
  function snapshotAt(last: number): Frame | Promise<Frame> {
    const now = clock.now();
    const cached = sharedSnapshot;
    if (cached && cached.last === last && now - cached.at < SNAPSHOT_SHARE_MS) return cached.frame;
    const listed = source.activeAlarms();
    const frame = listed instanceof Promise ? listed.then((active) => snapshotFrame(last, active)) : snapshotFrame(last, listed);
    const shared = { last, at: now, frame };
    sharedSnapshot = shared;
    // A failed read is not shared: the next stream tries again.
    if (frame instanceof Promise) frame.catch(() => sharedSnapshot === shared && (sharedSnapshot = undefined));
    return frame;
  }

  /** Sends the missed events, or a snapshot, and sets where live delivery takes over. */
  async function start(conn: Connection, lastEventId: number | undefined): Promise<void> {
    const { first, last } = await source.range();
    if (lastEventId !== undefined && lastEventId <= last && lastEventId >= first - 1) {
      conn.position = lastEventId;
    } else {
      if (lastEventId !== undefined) {
        const reason = lastEventId > last ? 'last_event_id is ahead of the journal' : 'events after last_event_id are no longer kept';
        send(conn, { type: 'sync_required', reason });
      }
      const made = conn.subscription.has('alarms') ? snapshotAt(last) : snapshotFrame(last, []);
      const frame = made instanceof Promise ? await made : made; // a cluster reads it from the database
      if (conn.state === 'closed') return;
      deliver(conn, new FrameBatch([frame]));
      conn.position = last;
    }
    await catchUp(conn, Math.max(last, lastPublished));
  }

  /**
   * Replays from the journal up to `target`, then again up to whatever was published meanwhile,
   * and turns live in the same turn that finds nothing newer published: no event can slip
   * between the last page and live delivery. Pages are paced by the client's backlog.
   */
  async function catchUp(conn: Connection, target: number): Promise<void> {
    for (;;) {
      while (conn.position < target) {
        const topics = TOPICS.filter((t) => conn.subscription.has(t));
        const upto = Math.min(conn.position + REPLAY_SCAN, target);
        const page = await source.readPage({ afterId: conn.position, upto, topics, viewerId: conn.user.id, limit: REPLAY_PAGE });
        if (gone(conn)) return;
        const frames = page.rows.map(replayFrame).filter((f) => conn.subscription.wants(f));
        if (frames.length > 0) {
          conn.transport.write(new FrameBatch(frames), true);
          stats.delivered += frames.length;
        }
        conn.position = page.through;
        // Other clients and requests run between pages; a client that reads slowly is waited for.
        if (conn.transport.backlog() > REPLAY_LOW_WATER) await conn.transport.drained();
        await nextTurn();
        if (gone(conn)) return;
      }
      if (lastPublished <= conn.position) {
        conn.state = 'live';
        syncAudiences(conn);
        return;
      }
      target = lastPublished;
    }
  }

  /**
   * Moves a connection to the audiences it should hear. A live connection of a runtime that
   * fans out natively hears the audiences of its topics, unless it filters rules (then the hub
   * writes to it directly); leaving, it takes up direct delivery from what was published last.
   */
  function syncAudiences(conn: Connection): void {
    const wanted: string[] = [];
    if (conn.state === 'live' && conn.subscription.ruleIds === null && fanout.supports(conn.transport)) {
      for (const t of conn.subscription) wanted.push(audienceOf(t, conn.user.id));
    }
    if (fanout.join(conn, wanted)) conn.position = lastPublished;
    if (conn.state === 'live' && conn.joined === null) direct.add(conn);
    else direct.delete(conn);
  }

  function fanOut(frames: readonly Frame[]): void {
    stats.delivered += fanout.send(frames, (conn) => {
      stats.slowConsumerCloses += 1;
      close(conn, CLOSE.slowConsumer, 'slow consumer');
    });
  }

  function flushValues() {
    valuesTimer = undefined;
    if (values.size === 0) return;
    const batch = new FrameBatch([messageFrame({ type: 'values', topic: 'values', values: [...values.values()] }, null, 'values')]);
    values = new Map();
    fanOut(batch.frames);
    for (const conn of direct) deliver(conn, batch);
  }

  return {
    stats,

    /** Whether the user may open one more stream (MAX_STREAMS_PER_USER). */
    canOpen: (userId: number): boolean => (perUser.get(userId)?.streams ?? 0) < options.maxStreamsPerUser,

    /**
     * Registers a stream at once (so `canOpen` then `open` cannot be raced, and a transport that
     * closes during the replay stops it), sends welcome, then replay or snapshot; `ready`
     * resolves when the stream is live.
     */
    open(signedIn: StreamUser, transport: ClientTransport, opts: OpenOptions = {}): { conn: Connection; ready: Promise<void> } {
      const user = sharedUser(signedIn);
      const allowed = allowedTopics(user);
      const chosen = opts.topics ? allowed.filter((t) => opts.topics!.includes(t)) : allowed;
      const conn: Connection = {
        id: nextId++,
        user,
        transport,
        subscription: new Subscription(chosen),
        requires: opts.requires ?? null,
        state: 'replaying',
        position: 0,
        joined: null,
      };
      connections.add(conn);
      options.onStream?.('open', conn);
      send(conn, { type: 'welcome', user: { id: user.id, username: user.username }, topics: chosen, heartbeat_ms: options.heartbeatMs });
      const ready = start(conn, opts.lastEventId).catch((err: unknown) => {
        close(conn, CLOSE.internal, 'replay failed');
        throw err;
      });
      return { conn, ready };
    },

    /** Hands journaled events to every live connection, after the commit that stored them. */
    publish(events: JournalEvent[]): void {
      if (events.length === 0) return;
      options.deliveryLatency?.observe(clock.now() - Date.parse(events[0]!.ts));
      const frames = events.map(eventFrame);
      const batch = new FrameBatch(frames);
      const firstId = frames[0]!.id!;
      const lastId = frames.at(-1)!.id!;
      lastPublished = Math.max(lastPublished, lastId);
      stats.published += frames.length;
      fanOut(frames);
      // A replay reads these from the journal; an audience heard them above.
      for (const conn of direct) {
        if (conn.position < firstId) deliver(conn, batch);
        else if (conn.position < lastId) deliver(conn, new FrameBatch(frames.filter((f) => f.id! > conn.position)));
        conn.position = Math.max(conn.position, lastId);
      }
    },

    /** Fans out through the server's own pub/sub from now on (Bun), for connections that can. */
    broadcastWith: fanout.attach,

    /** Queues live values; connections get at most one `values` message per 250 ms. */
    publishValues(batch: LiveValue[]): void {
      for (const v of batch) values.set(v.datapoint_id, v);
      valuesTimer ??= clock.setTimer(clock.now() + VALUES_INTERVAL_MS, flushValues);
    },

    /**
     * A user's account changed (SPEC 10): with revoked credentials (new password, sign-out,
     * deleted) their streams close 4401; without a permission an endpoint requires, 4403;
     * otherwise they keep only the topics the new role may read, and are told so.
     */
    userChanged(userId: number, current: StreamUser | undefined): void {
      for (const conn of [...connections]) {
        if (conn.user.id !== userId) continue;
        if (current === undefined || current.tokenVersion !== conn.user.tokenVersion) {
          close(conn, CLOSE.unauthenticated, 'credentials revoked');
        } else if (conn.requires !== null && !hasPermission(current.permissions, conn.requires)) {
          close(conn, CLOSE.forbidden, 'permission revoked');
        } else {
          conn.user = sharedUser(current, false);
          const allowed = new Set(allowedTopics(current));
          const before = conn.subscription.size;
          for (const t of conn.subscription) if (!allowed.has(t)) conn.subscription.delete(t);
          syncAudiences(conn);
          if (conn.subscription.size !== before) send(conn, { type: 'subscribed', topics: [...conn.subscription] });
        }
      }
    },

    /** Changes a connection's topics (and rule filter); returns the topics it now has. */
    subscribe(conn: Connection, topics: StreamTopic[], ruleIds?: number[]): StreamTopic[] {
      for (const t of allowedTopics(conn.user)) if (topics.includes(t)) conn.subscription.add(t);
      if (ruleIds) conn.subscription.ruleIds = new Set(ruleIds);
      syncAudiences(conn);
      return [...conn.subscription];
    },

    unsubscribe(conn: Connection, topics: StreamTopic[]): StreamTopic[] {
      for (const t of topics) conn.subscription.delete(t);
      syncAudiences(conn);
      return [...conn.subscription];
    },

    send,
    close,

    /** Forgets a connection its transport has seen close. */
    closed: forget,

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
