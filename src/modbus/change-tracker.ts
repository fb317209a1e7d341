/** Remembers what was last reported per point, so a poll cycle posts only what changed. */
import { QUALITY_BAD, QUALITY_GOOD } from './protocol.js';

export interface ChangeSet {
  ids: Uint32Array<ArrayBuffer>;
  values: Float64Array<ArrayBuffer>;
  quality: Uint8Array<ArrayBuffer>;
  /** Reasons for the bad points in this set; absent when every point is good. */
  errors?: { id: number; error: string }[];
}

const NEVER = 255;

export interface ChangeTracker {
  /** Replaces the tracked set; points kept keep their last reported state. Bumps `version`. */
  setPoints(ids: readonly number[]): void;
  /** Changes whenever slots are reassigned, so a plan compiled earlier can tell it is stale. */
  readonly version: number;
  /** The slot of a point for the *At setters (the hot path), or -1. */
  slotOf(id: number): number;
  goodAt(slot: number, value: number): void;
  badAt(slot: number, error: string): void;
  good(id: number, value: number): void;
  bad(id: number, error: string): void;
  allBad(error: string): void;
  /** The changes since the last flush, or null when nothing changed. */
  flush(): ChangeSet | null;
}

export function createChangeTracker(initialIds: readonly number[] = []): ChangeTracker {
  let ids: number[] = [];
  let index = new Map<number, number>();
  let lastValue = new Float64Array(0);
  let lastQuality = new Uint8Array(0);
  let lastError: (string | null)[] = [];
  let curValue = new Float64Array(0);
  let curQuality = new Uint8Array(0);
  let curError: (string | null)[] = [];
  let version = 0;

  function setPoints(next: readonly number[]): void {
    const oldIndex = index;
    const [oldValue, oldQuality, oldError] = [lastValue, lastQuality, lastError];
    ids = [...new Set(next)];
    index = new Map(ids.map((id, i) => [id, i]));
    lastValue = new Float64Array(ids.length).fill(Number.NaN);
    lastQuality = new Uint8Array(ids.length).fill(NEVER);
    lastError = new Array<string | null>(ids.length).fill(null);
    ids.forEach((id, i) => {
      const old = oldIndex.get(id);
      if (old === undefined) return;
      lastValue[i] = oldValue[old] ?? Number.NaN;
      lastQuality[i] = oldQuality[old] ?? NEVER;
      lastError[i] = oldError[old] ?? null;
    });
    curValue = lastValue.slice();
    curQuality = lastQuality.slice();
    curError = lastError.slice();
    version++;
  }

  function setAt(i: number, value: number, quality: number, error: string | null): void {
    if (i < 0 || i >= ids.length) return;
    curValue[i] = value;
    curQuality[i] = quality;
    curError[i] = error;
  }
  const set = (id: number, value: number, quality: number, error: string | null): void => setAt(index.get(id) ?? -1, value, quality, error);

  function flush(): ChangeSet | null {
    const changed: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const q = curQuality[i];
      if (q === NEVER) continue;
      const same = q === lastQuality[i] && (q === QUALITY_GOOD ? curValue[i] === lastValue[i] : curError[i] === lastError[i]);
      if (!same) changed.push(i);
    }
    if (changed.length === 0) return null;
    const out: ChangeSet = {
      ids: new Uint32Array(changed.length),
      values: new Float64Array(changed.length),
      quality: new Uint8Array(changed.length),
    };
    const errors: { id: number; error: string }[] = [];
    changed.forEach((i, k) => {
      const id = ids[i] ?? 0;
      const q = curQuality[i] ?? QUALITY_BAD;
      out.ids[k] = id;
      out.values[k] = q === QUALITY_GOOD ? (curValue[i] ?? Number.NaN) : Number.NaN;
      out.quality[k] = q;
      if (q !== QUALITY_GOOD) errors.push({ id, error: curError[i] ?? 'bad quality' });
      lastValue[i] = curValue[i] ?? Number.NaN;
      lastQuality[i] = q;
      lastError[i] = curError[i] ?? null;
    });
    if (errors.length > 0) out.errors = errors;
    return out;
  }

  setPoints(initialIds);
  return {
    setPoints,
    get version() {
      return version;
    },
    slotOf: (id) => index.get(id) ?? -1,
    goodAt: (slot, value) => setAt(slot, value, QUALITY_GOOD, null),
    badAt: (slot, error) => setAt(slot, Number.NaN, QUALITY_BAD, error),
    good: (id, value) => set(id, value, QUALITY_GOOD, null),
    bad: (id, error) => set(id, Number.NaN, QUALITY_BAD, error),
    allBad: (error) => ids.forEach((id) => set(id, Number.NaN, QUALITY_BAD, error)),
    flush,
  };
}
