/**
 * The live page's time and timers, in one place: the horn's repeat, the silence's end and the
 * rows' "for 5 min". Modules take a clock instead of calling setTimeout themselves, so a test can
 * hand them another one (the browser tests drive this one with Playwright's fake clock).
 */

/** `{now(), after(ms, fn), every(ms, fn)}`; `after` and `every` return a function that cancels. */
export function createPageClock(scope = globalThis) {
  return {
    now: () => scope.Date.now(),
    after(ms, fn) {
      const id = scope.setTimeout(fn, ms);
      return function cancelTimeout() {
        scope.clearTimeout(id);
      };
    },
    every(ms, fn) {
      const id = scope.setInterval(fn, ms);
      return function cancelInterval() {
        scope.clearInterval(id);
      };
    },
  };
}
