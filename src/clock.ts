/** Wall-clock time and timers, passed in so tests can replace them. */
export interface Clock {
  now(): number;
  setTimer(atMs: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/** The real clock. Timers longer than setTimeout's 24.8-day limit are re-armed in steps. */
export function systemClock(): Clock {
  const MAX_DELAY = 2 ** 31 - 1;
  return {
    now: () => Date.now(),
    setTimer(atMs, fn) {
      const handle: { timer?: ReturnType<typeof setTimeout> } = {};
      const arm = () => {
        const delay = atMs - Date.now();
        if (delay > MAX_DELAY) handle.timer = setTimeout(arm, MAX_DELAY);
        else handle.timer = setTimeout(fn, Math.max(0, delay));
      };
      arm();
      return handle;
    },
    clearTimer(handle) {
      clearTimeout((handle as { timer?: ReturnType<typeof setTimeout> } | undefined)?.timer);
    },
  };
}
