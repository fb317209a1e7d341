import type { Clock } from '../kernel/clock.js';
import { messageFrame } from './frame.js';
import type { WsSession } from './ws-session.js';

/**
 * One timer on the clock for all streams: an SSE ping comment every half heartbeat, and a
 * WebSocket heartbeat (with its protocol ping and the check for silent peers) every other tick.
 */
export function createStreamServer(clock: Clock, heartbeatMs: number) {
  const wsSessions = new Set<WsSession>();
  const ssePings = new Set<() => void>();
  let beat = 0;
  let timer = clock.setTimer(clock.now() + heartbeatMs / 2, streamTick);

  function streamTick(): void {
    timer = clock.setTimer(clock.now() + heartbeatMs / 2, streamTick);
    for (const ping of ssePings) ping();
    if (beat++ % 2 === 1) {
      const frame = messageFrame({ type: 'heartbeat', ts: new Date(clock.now()).toISOString() });
      for (const s of wsSessions) s.heartbeat(frame, heartbeatMs);
    }
  }

  return {
    track: (session: WsSession) => void wsSessions.add(session),
    untrack: (session: WsSession) => void wsSessions.delete(session),
    trackSse(ping: () => void) {
      ssePings.add(ping);
      return () => ssePings.delete(ping);
    },
    stop() {
      clock.clearTimer(timer);
    },
  };
}

export type StreamServer = ReturnType<typeof createStreamServer>;
