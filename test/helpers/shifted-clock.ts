import type { Clock } from '../../src/kernel/clock.js';

/** setTimeout's longest delay; a timer further out waits in steps. */
const MAX_DELAY = 2 ** 31 - 1;

interface Timer {
  at: number;
  fn: () => void;
  handle?: ReturnType<typeof setTimeout>;
}

/**
 * Real time that a test can move forward: for a running server with real sockets and a real
 * poller, where a manual clock would stop everything, yet something an hour or ten seconds
 * away (an escalation) must come now. `jump(ms)` moves time on and fires what fell due.
 */
export function shiftedClock(): Clock & { jump(ms: number): void } {
  let offset = 0;
  const timers = new Set<Timer>();
  const now = () => Date.now() + offset;

  function arm(timer: Timer): void {
    clearTimeout(timer.handle);
    const delay = Math.max(0, timer.at - now());
    timer.handle = setTimeout(
      () => {
        if (timer.at > now()) return arm(timer); // a step of a long wait
        timers.delete(timer);
        timer.fn();
      },
      Math.min(delay, MAX_DELAY),
    );
  }

  return {
    now,
    setTimer(atMs, fn) {
      const timer: Timer = { at: atMs, fn };
      timers.add(timer);
      arm(timer);
      return timer;
    },
    clearTimer(handle) {
      const timer = handle as Timer | undefined;
      if (!timer || !timers.delete(timer)) return;
      clearTimeout(timer.handle);
    },
    jump(ms) {
      offset += ms;
      for (const timer of timers) arm(timer);
    },
  };
}
