import { describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import { createSleeper } from './sleeper.js';

describe('createSleeper', () => {
  it('resolves when its timer fires', async () => {
    const clock = manualClock();
    let done = false;
    const p = createSleeper(clock)
      .sleep(100)
      .then(() => (done = true));
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('wakes early and cancels the timer', async () => {
    const clock = manualClock();
    const s = createSleeper(clock);
    const p = s.sleep(100);
    s.wake();
    await p;
    expect(clock.pending()).toBe(0);
  });

  it('only yields to pending I/O when already overdue', async () => {
    const clock = manualClock();
    await createSleeper(clock).sleep(0);
    expect(clock.pending()).toBe(0);
  });

  it('remembers a wake that came while awake', async () => {
    const clock = manualClock();
    const s = createSleeper(clock);
    s.wake();
    await s.sleep(100);
    expect(clock.pending()).toBe(0);
    void s.sleep(100);
    expect(clock.pending()).toBe(1);
  });
});
