/** A cancellable wait: the poll loop sleeps here, and a config change or stop wakes it early. */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createSleeper(timers: Timers = systemTimers): Sleeper {
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
        current = { handle: timers.setTimeout(done, ms), resolve: done };
      });
    },
    wake() {
      if (current === null) {
        woken = true;
        return;
      }
      timers.clearTimeout(current.handle);
      current.resolve();
    },
  };
}
