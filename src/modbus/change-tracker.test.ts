import { describe, expect, it } from 'vitest';
import { createChangeTracker, type ChangeSet } from './change-tracker.js';

const plain = (c: ChangeSet | null) => c && { ids: [...c.ids], values: [...c.values], quality: [...c.quality], errors: c.errors };

describe('createChangeTracker', () => {
  it('reports nothing before any point was read', () => {
    expect(createChangeTracker([1, 2]).flush()).toBeNull();
  });

  it('reports the first reading, then only changes', () => {
    const t = createChangeTracker([1, 2]);
    t.good(1, 10);
    t.good(2, 20);
    expect(plain(t.flush())).toEqual({ ids: [1, 2], values: [10, 20], quality: [1, 1], errors: undefined });
    t.good(1, 10);
    t.good(2, 21);
    expect(plain(t.flush())).toEqual({ ids: [2], values: [21], quality: [1], errors: undefined });
    t.good(1, 10);
    expect(t.flush()).toBeNull();
  });

  it('reports quality changes with reasons, and a changed reason', () => {
    const t = createChangeTracker([1, 2]);
    t.good(1, 1);
    t.good(2, 2);
    t.flush();
    t.allBad('timeout');
    expect(plain(t.flush())).toEqual({
      ids: [1, 2],
      values: [NaN, NaN],
      quality: [0, 0],
      errors: [
        { id: 1, error: 'timeout' },
        { id: 2, error: 'timeout' },
      ],
    });
    t.allBad('timeout');
    expect(t.flush()).toBeNull();
    t.bad(2, 'refused');
    expect(plain(t.flush())?.errors).toEqual([{ id: 2, error: 'refused' }]);
    t.good(1, 1);
    expect(plain(t.flush())).toEqual({ ids: [1], values: [1], quality: [1], errors: undefined });
  });

  it('keeps the state of retained points across setPoints and ignores unknown ids', () => {
    const t = createChangeTracker([1, 2]);
    t.good(1, 5);
    t.good(2, 6);
    t.flush();
    t.setPoints([2, 3]);
    t.good(1, 99);
    t.good(2, 6);
    t.good(3, 7);
    expect(plain(t.flush())).toEqual({ ids: [3], values: [7], quality: [1], errors: undefined });
  });
});
