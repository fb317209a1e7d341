import type { Clock } from '../../src/clock.js';

/** A clock that moves only when a test says so; due timers fire in order on advance(). */
export function manualClock(start = Date.parse('2026-03-02T08:00:00.000Z')) {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock & { advance(ms: number): void; set(ms: number): void } = {
    now: () => now,
    setTimer(at, fn) {
      const id = ++nextId;
      timers.set(id, { at, fn });
      return id;
    },
    clearTimer(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      clock.set(now + ms);
    },
    set(target) {
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = target;
    },
  };
  return clock;
}
