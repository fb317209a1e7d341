/** Wall-clock time and timers, passed in so tests can replace them. */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Calls `fn` at the instant `atMs` (epoch ms, not a delay): a wait of `ms` is `setTimer(now() + ms, fn)`. */
  setTimer(atMs: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * The real clock. Timers longer than setTimeout's 24.8-day limit are re-armed in steps; the
 * others are plain timeouts, with nothing around them (every open stream holds one).
 */
export function systemClock(): Clock {
  const MAX_DELAY = 2 ** 31 - 1;
  return {
    now: () => Date.now(),
    setTimer(atMs, fn) {
      if (atMs - Date.now() <= MAX_DELAY) return setTimeout(fn, Math.max(0, atMs - Date.now()));
      const handle = new SteppedTimer();
      const arm = () => {
        const delay = atMs - Date.now();
        if (delay > MAX_DELAY) handle.timer = setTimeout(arm, MAX_DELAY);
        else handle.timer = setTimeout(fn, Math.max(0, delay));
      };
      arm();
      return handle;
    },
    clearTimer(handle) {
      clearTimeout(handle instanceof SteppedTimer ? handle.timer : (handle as ReturnType<typeof setTimeout> | undefined));
    },
  };
}

/** A timer beyond setTimeout's limit: the timeout of its current step. */
class SteppedTimer {
  timer: ReturnType<typeof setTimeout> | undefined;
}
