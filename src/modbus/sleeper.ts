/** A cancellable wait: the poll loop sleeps here, and a config change or stop wakes it early. */
import { systemClock, type Clock } from '../kernel/clock.js';

export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void;
}

export function createSleeper(clock: Clock = systemClock()): Sleeper {
  let woken = false;
  let current: { handle: unknown; resolve: () => void } | null = null;

  return {
    sleep(ms) {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      // Overdue: setTimeout(0) would cost a whole millisecond; just let pending I/O run first.
      if (ms <= 0) return new Promise<void>((resolve) => setImmediate(resolve));
      return new Promise<void>((resolve) => {
        const done = (): void => {
          current = null;
          resolve();
        };
        current = { handle: clock.setTimer(clock.now() + ms, done), resolve: done };
      });
    },
    wake() {
      if (current === null) {
        woken = true;
        return;
      }
      clock.clearTimer(current.handle);
      current.resolve();
    },
  };
}
