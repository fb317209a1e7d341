import type { Clock } from '../clock.js';
import { messageFrame } from './frame.js';
import type { WsSession } from './ws-session.js';

/** One timer for all streams that sends WebSocket heartbeats and SSE ping comments. */
export function createStreamServer(clock: Clock, heartbeatMs: number) {
  const wsSessions = new Set<WsSession>();
  const ssePings = new Set<() => void>();
  let beat = 0;

  // Ticks every half heartbeat: SSE pings each tick, WebSocket heartbeats every other tick.
  const timer = setInterval(() => {
    for (const ping of ssePings) ping();
    if (beat++ % 2 === 1) {
      const frame = messageFrame({ type: 'heartbeat', ts: new Date(clock.now()).toISOString() });
      for (const s of wsSessions) s.heartbeat(frame, heartbeatMs);
    }
  }, heartbeatMs / 2);
  timer.unref();

  return {
    track: (session: WsSession) => void wsSessions.add(session),
    untrack: (session: WsSession) => void wsSessions.delete(session),
    trackSse(ping: () => void) {
      ssePings.add(ping);
      return () => ssePings.delete(ping);
    },
    stop() {
      clearInterval(timer);
    },
  };
}

export type StreamServer = ReturnType<typeof createStreamServer>;
