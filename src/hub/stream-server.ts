import type { Clock } from '../kernel/clock.js';
import { createDeadlines, type Deadline } from './deadlines.js';
import { messageFrame } from './frame.js';
import type { WsSession } from './ws-session.js';

/**
 * Two timers on the clock for all streams: a tick for an SSE ping comment every half heartbeat
 * and a WebSocket heartbeat (with its protocol ping and the check for silent peers) every other
 * tick; and the deadlines, when a sign-in window or a token runs out.
 */
export function createStreamServer(clock: Clock, heartbeatMs: number) {
  const wsSessions = new Set<WsSession>();
  const sseStreams = new Set<{ ping(): void }>();
  const deadlines = createDeadlines(clock);
  let beat = 0;
  let timer = clock.setTimer(clock.now() + heartbeatMs / 2, streamTick);

  function streamTick(): void {
    timer = clock.setTimer(clock.now() + heartbeatMs / 2, streamTick);
    for (const stream of sseStreams) stream.ping();
    if (beat++ % 2 === 1) {
      const frame = messageFrame({ type: 'heartbeat', ts: new Date(clock.now()).toISOString() });
      for (const s of wsSessions) s.heartbeat(frame, heartbeatMs);
    }
  }

  return {
    /** A WebSocket session gets heartbeats, and its deadline (`deadline`) until it leaves. */
    track: (session: WsSession) => void wsSessions.add(session),
    untrack(session: WsSession): void {
      wsSessions.delete(session);
      deadlines.clear(session);
    },
    /** Calls `d.due()` at `atMs`, in place of the deadline it had. */
    deadline: (d: Deadline, atMs: number) => deadlines.set(d, atMs),
    /** An SSE stream gets pings, and `expired` when its token runs out; returns its untrack. */
    trackSse(stream: { ping(): void }, expiresAt: number, expired: () => void): () => void {
      const d: Deadline = { deadlineAt: expiresAt, deadlineSlot: -1, due: expired };
      sseStreams.add(stream);
      deadlines.set(d, expiresAt);
      return () => {
        sseStreams.delete(stream);
        deadlines.clear(d);
      };
    },
    stop() {
      clock.clearTimer(timer);
      deadlines.stop();
    },
  };
}

export type StreamServer = ReturnType<typeof createStreamServer>;
