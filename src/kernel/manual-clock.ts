/** The clock for tests: time moves only when told, and due timers fire in order at their own instant. */
import type { Clock } from './clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void;
  /** Moves time to the instant `t` (never back), firing every timer due on the way. */
  set(t: number): void;
  /** Timers still armed. */
  pending(): number;
}

interface Timer {
  at: number;
  fn: () => void;
}

/** Starts at `start` (a Monday morning by default: 2026-03-02T08:00Z). */
export function manualClock(start = Date.parse('2026-03-02T08:00:00.000Z')): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, Timer>();

  function nextDue(limit: number): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= limit && (best === undefined || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  }

  function set(t: number): void {
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
    advance: (ms) => set(now + ms),
    set,
    pending: () => timers.size,
  };
}
