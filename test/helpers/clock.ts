import { fakeClock } from '../../src/engine/fake-clock.js';

/**
 * The engine's fake clock for whole-app tests: time moves only when a test says so, and due
 * timers fire in order. `set` moves to an instant, `advance` by an amount.
 */
export function manualClock(start = Date.parse('2026-03-02T08:00:00.000Z')) {
  const clock = fakeClock(start);
  return Object.assign(clock, { set: (t: number) => clock.advanceTo(t) });
}
