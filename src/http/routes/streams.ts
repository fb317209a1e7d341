import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { hasPermission, type Permission } from '../../auth/permissions.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, rateLimited } from '../../kernel/errors.js';
import type { StreamUser } from '../../hub/client.js';
import { STREAM_TOPICS, type StreamTopic } from '../../kernel/enums.js';
import type { Hub } from '../../hub/hub.js';
import { CLOSE } from '../../hub/close-codes.js';
import { SseStream } from '../../hub/sse-stream.js';
import type { StreamServer } from '../../hub/stream-server.js';
import { WsSession, type WsSessionDeps } from '../../hub/ws-session.js';
import type { WsHandlers, WsPeer } from '../../hub/ws-peer.js';
import type { HttpRuntime } from '../../runtime/runtime.js';
import { errorResponse } from '../middleware/error-handler.js';
import { authenticateStream, originAllowed, streamSession, type OriginPolicy, type StreamAuthDeps } from '../middleware/stream-auth.js';
import { routeDoc, Text } from '../openapi/route-doc.js';
import { parseWith } from '../middleware/validate.js';

export interface StreamDeps extends StreamAuthDeps {
  hub: Hub;
  streams: StreamServer;
  clock: Clock;
  origins: OriginPolicy;
  runtime: HttpRuntime;
  ack(user: StreamUser, ruleId: number, comment: string | undefined): Promise<unknown>;
}

/** Each client may have 1 MiB queued; past it the client is a slow consumer (SPEC 6). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

const StreamQuery = v.object({
  ticket: v.optional(v.string()),
  last_event_id: v.optional(v.pipe(v.string(), v.regex(/^\d{1,16}$/, 'must be an event id'), v.transform(Number))),
  topics: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(',').filter(Boolean)),
      v.array(v.picklist(STREAM_TOPICS, `topics must be among ${STREAM_TOPICS.join(', ')}`)),
    ),
  ),
});

/** `/ws/alarms` and `/sse/alarms` serve alarms only, to those who may read them. */
const endpointRequires = (c: Context): Permission | null => (c.req.path.endsWith('/alarms') ? 'alarms:read' : null);

/**
 * What starts a session once its socket is open. Made out here, not in the upgrade's async
 * handler, so that an idle connection keeps none of its request alive (a closure made inside an
 * async function holds that function's whole frame).
 */
function sessionStarter(
  deps: WsSessionDeps,
  requires: Permission | null,
  pre: Awaited<ReturnType<typeof authenticateStream>>,
  query: v.InferOutput<typeof StreamQuery>,
) {
  return (peer: WsPeer): WsHandlers => {
    const session = new WsSession(peer, deps, requires);
    session.begin(pre, query.last_event_id, query.topics);
    return session;
  };
}

const STREAM_AUTH =
  'Credentials: `Authorization: Bearer`, a one-time `ticket`, the `session` cookie, or (WebSocket) a first `auth` message. ' +
  'Resume with `last_event_id` (SSE also `Last-Event-ID`). Frames, close codes and limits: SPEC 5-7.';

const LAST_EVENT_ID = {
  name: 'Last-Event-ID',
  description: 'Resume after this event id',
  schema: v.pipe(v.string(), v.regex(/^\d{1,16}$/)),
};

/** A stream endpoint's documentation: WebSocket or SSE, all events or (with the permission) alarms only. */
const streamDoc = (transport: 'ws' | 'sse', permission?: Permission) =>
  routeDoc({
    tag: 'streams',
    summary: `${permission ? 'Alarm events' : 'Events'} ${transport === 'ws' ? 'over WebSocket' : 'as Server-Sent Events'}`,
    description: STREAM_AUTH,
    signedIn: 'stream',
    permission,
    query: StreamQuery,
    ...(transport === 'sse' && { headers: [LAST_EVENT_ID] }),
    responses:
      transport === 'ws'
        ? { 101: { description: 'Switching to the WebSocket protocol' } }
        : { 200: { description: 'An event stream', content: { 'text/event-stream': Text } } },
  });

/** `GET /ws`, `/ws/alarms` (WebSocket) and `GET /sse`, `/sse/alarms` (Server-Sent Events). */
export function streamRoutes(deps: StreamDeps) {
  const { hub, streams, clock } = deps;

  const originGuard = async (c: Context, next: () => Promise<void>) => {
    if (!originAllowed(c, deps.origins)) {
      return errorResponse(c, new AppError('forbidden', 'Origin not allowed'));
    }
    await next();
  };

  const sessions: WsSessionDeps = {
    hub,
    clock,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    authenticate: (token) => streamSession(deps, token),
    ack: deps.ack,
    heartbeats: streams,
  };
  const websocket = deps.runtime.webSocket(async (c) => {
    const query = parseWith(StreamQuery, c.req.query(), 'query');
    const pre = await authenticateStream(c, deps, false);
    return sessionStarter(sessions, endpointRequires(c), pre, query);
  });

  async function sse(c: Context) {
    const query = parseWith(StreamQuery, c.req.query(), 'query');
    const auth = await authenticateStream(c, deps, true);
    if (auth === 'none' || auth === 'invalid') {
      throw new AppError('unauthenticated', auth === 'none' ? 'Missing credentials' : 'Invalid or expired credentials');
    }
    const requires = endpointRequires(c);
    if (requires !== null && !hasPermission(auth.user.permissions, requires)) {
      throw new AppError('forbidden', `Requires permission ${requires}`);
    }
    if (!hub.canOpen(auth.user.id)) {
      throw rateLimited('Too many streams open for this user', 5);
    }
    const header = c.req.header('last-event-id');
    const lastEventId = header && /^\d{1,16}$/.test(header) ? Number(header) : query.last_event_id;

    const { sink, response } = deps.runtime.openSse(c, SSE_HEADERS, MAX_BUFFERED_BYTES, () => stream.gone());
    if (!sink) return response; // the client left while we authenticated

    const stream = new SseStream(sink, () => {
      untrack();
      hub.closed(conn);
    });
    const untrack = streams.trackSse(stream, auth.expiresAt, () => stream.close(CLOSE.unauthenticated, 'token expired'));
    // No await since canOpen: the stream is counted before anything else can open one.
    const topics = query.topics as StreamTopic[] | undefined;
    const { conn, ready } = hub.open(auth.user, stream, { topics, lastEventId, requires });
    ready.catch(() => {}); // the hub has closed the stream (1011)
    return response;
  }

  return new Hono()
    .get('/ws', streamDoc('ws'), originGuard, websocket)
    .get('/ws/alarms', streamDoc('ws', 'alarms:read'), originGuard, websocket)
    .get('/sse', streamDoc('sse'), originGuard, sse)
    .get('/sse/alarms', streamDoc('sse', 'alarms:read'), originGuard, sse);
}
