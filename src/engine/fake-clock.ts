/** A clock for tests: time moves only when told, and due timers fire in order. */
import type { Clock } from './types.js';

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way at its own instant. */
  advance(ms: number): void;
  advanceTo(t: number): void;
  /** Timers still armed. */
  pending(): number;
}

export function fakeClock(start = 0): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();

  function nextDue(limit: number): [number, { at: number; fn: () => void }] | undefined {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= limit && (best === undefined || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  }

  function advanceTo(t: number): void {
    // a fired timer may arm another that is due before `t`: look again after each one
    for (let due = nextDue(t); due !== undefined; due = nextDue(t)) {
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
    }
    now = Math.max(now, t);
  }

  return {
    now: () => now,
    setTimer(atMs, fn) {
      timers.set(++seq, { at: atMs, fn });
      return seq;
    },
    clearTimer(handle) {
      timers.delete(handle as number);
    },
    advance: (ms) => advanceTo(now + ms),
    advanceTo,
    pending: () => timers.size,
  };
}
