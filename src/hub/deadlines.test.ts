import { describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import { createDeadlines, type Deadline } from './deadlines.js';

function entry(name: string, fired: string[]): Deadline & { name: string } {
  return { name, deadlineAt: 0, deadlineSlot: -1, due: () => fired.push(name) };
}

describe('deadlines', () => {
  it('calls each at its instant, in order, under one timer', () => {
    const clock = manualClock(0);
    const fired: string[] = [];
    const q = createDeadlines(clock);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => entry(n, fired));
    q.set(b!, 200);
    q.set(a!, 100);
    q.set(c!, 300);
    expect(clock.pending()).toBe(1);
    clock.set(99);
    expect(fired).toEqual([]);
    clock.set(100);
    expect(fired).toEqual(['a']);
    clock.set(1000);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('forgets a cleared one and moves a reset one, wherever it sits', () => {
    const clock = manualClock(0);
    const fired: string[] = [];
    const q = createDeadlines(clock);
    const all = Array.from({ length: 50 }, (_, i) => entry(`e${i}`, fired));
    // Pseudo-random instants, so the heap is shuffled at every level.
    all.forEach((e, i) => q.set(e, 1 + ((i * 37) % 50) * 10));
    for (const e of all.filter((_, i) => i % 3 === 0)) q.clear(e);
    q.set(all[1]!, 5000); // later than the rest
    q.clear(all[0]!); // cleared twice: a no-op
    clock.set(10_000);
    const expected = all
      .map((e, i) => ({ name: e.name, at: i === 1 ? 5000 : 1 + ((i * 37) % 50) * 10, kept: i % 3 !== 0 }))
      .filter((x) => x.kept)
      .sort((x, y) => x.at - y.at)
      .map((x) => x.name);
    expect(fired).toEqual(expected);
    expect(all.every((e) => e.deadlineSlot === -1)).toBe(true);
  });

  it('takes a deadline set while one is due, and one earlier than the armed timer', () => {
    const clock = manualClock(0);
    const fired: string[] = [];
    const q = createDeadlines(clock);
    const late = entry('late', fired);
    const early = entry('early', fired);
    const chained = entry('chained', fired);
    q.set(late, 500);
    q.set(early, 100);
    early.due = () => {
      fired.push('early');
      q.set(chained, 100); // already due: called in the same round
    };
    clock.set(100);
    expect(fired).toEqual(['early', 'chained']);
    q.stop();
    clock.set(1000);
    expect(fired).toEqual(['early', 'chained']); // stopped: nothing more
  });
});
