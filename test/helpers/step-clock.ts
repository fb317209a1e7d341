import type { WsClient } from './stream-clients.js';

let rounds = 0;

/**
 * Moves a manual clock to `t` in steps of at most `stepMs`, and after each step has every open
 * WebSocket client answer the server (a ping round trip). Heartbeats run on the clock, so one
 * jump past two heartbeats finds every socket silent and drops it, where real time would have
 * let each answer. For jumps of hours with sockets open; `clock.set` for the rest.
 */
export async function stepClockTo(
  clock: { now(): number; set(t: number): void },
  t: number,
  stepMs: number,
  clients: readonly WsClient[],
): Promise<void> {
  while (clock.now() < t) {
    clock.set(Math.min(t, clock.now() + stepMs));
    const id = `step-${++rounds}`;
    const open = clients.filter((c) => c.ws.readyState === c.ws.OPEN);
    for (const c of open) c.send({ type: 'ping', id });
    await Promise.all(open.map((c) => c.next('pong', (m) => m.id === id)));
  }
}
