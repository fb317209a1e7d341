import { describe, expect, it } from 'vitest';
import { createSleeper, type Timers } from './sleeper.js';

function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn) => {
      pending.set(++next, fn);
      return next;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const fire = () => [...pending.values()].forEach((fn) => fn());
  return { timers, pending, fire };
}

describe('createSleeper', () => {
  it('resolves when its timer fires', async () => {
    const m = manualTimers();
    let done = false;
    const p = createSleeper(m.timers)
      .sleep(100)
      .then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    m.fire();
    await p;
    expect(done).toBe(true);
  });

  it('wakes early and cancels the timer', async () => {
    const m = manualTimers();
    const s = createSleeper(m.timers);
    const p = s.sleep(100);
    s.wake();
    await p;
    expect(m.pending.size).toBe(0);
  });

  it('only yields to pending I/O when already overdue', async () => {
    const m = manualTimers();
    await createSleeper(m.timers).sleep(0);
    expect(m.pending.size).toBe(0);
  });

  it('remembers a wake that came while awake', async () => {
    const m = manualTimers();
    const s = createSleeper(m.timers);
    s.wake();
    await s.sleep(100);
    expect(m.pending.size).toBe(0);
    void s.sleep(100);
    expect(m.pending.size).toBe(1);
  });
});
