/** Per-minute min, max, avg and last of each datapoint's good values, as samples arrive (SPEC 13). */

export const MINUTE_MS = 60_000;

/** The finished minute of every datapoint that held a good value in it: parallel arrays, `count` long. */
export interface MinuteRows {
  /** Epoch minutes (ms / 60000) of the minute's start. */
  minute: number;
  count: number;
  ids: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** Time-weighted: each value counts for as long as it was held. */
  avg: Float64Array;
  last: Float64Array;
  /** Milliseconds of the minute with a good value: the weight of `avg` when minutes merge. */
  weight: Float64Array;
}

// A slot's numbers sit side by side (64 bytes, one cache line): a sample touches one line
// rather than one per field, which at 100k datapoints is most of its cost.
const MIN = 0;
const MAX = 1;
const LAST = 2;
/** Sum of value x ms held, this minute. */
const AREA = 3;
const GOOD_MS = 4;
/** Since when LAST has been held (ms), while HELD. */
const SINCE = 5;
const ID = 6;
const STRIDE = 8;

/** A good value is held now. */
const HELD = 1;
/** The minute has had a good value: MIN, MAX and LAST are valid. */
const SEEN = 2;
/** No longer polled here: the slot is freed once its minute is closed. */
const DROPPED = 4;

/** Ids below this find their slot in an array; larger ones (rare) in a Map. */
const DENSE_IDS = 1 << 24;

/**
 * The poller reports a value only when it changes, so a value holds until the next sample
 * says otherwise: it is carried into the following minutes, and `avg` weighs each value by
 * how long it was held rather than counting samples. A bad sample ends the holding.
 *
 * One slot per datapoint; a sample costs an index lookup and a few stores, with no allocation.
 * The arrays grow by doubling when a new datapoint appears.
 */
export function createMinuteAggregator(startMs: number) {
  let start = Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
  /** Slot + 1 by id (0: none), for ids below DENSE_IDS. */
  let dense = new Int32Array(0);
  const sparse = new Map<number, number>();
  const free: number[] = [];
  let used = 0;
  let capacity = 0;
  let slots = new Float64Array(0);
  let flags = new Uint8Array(0);

  function grow() {
    capacity = Math.max(64, capacity * 2);
    const wider = new Float64Array(capacity * STRIDE);
    wider.set(slots);
    slots = wider;
    const widerFlags = new Uint8Array(capacity);
    widerFlags.set(flags);
    flags = widerFlags;
  }

  function allocate(id: number): number {
    let s = free.pop();
    if (s === undefined) {
      if (used === capacity) grow();
      s = used++;
    }
    if (id < DENSE_IDS) {
      if (id >= dense.length) {
        const wider = new Int32Array(Math.max(1024, id * 2));
        wider.set(dense);
        dense = wider;
      }
      dense[id] = s + 1;
    } else {
      sparse.set(id, s);
    }
    const o = s * STRIDE;
    slots[o + ID] = id;
    slots[o + AREA] = slots[o + GOOD_MS] = 0;
    flags[s] = 0;
    return s;
  }

  function slotOf(id: number): number {
    if (id < DENSE_IDS) {
      const s = (dense[id] ?? 0) - 1;
      return s >= 0 ? s : allocate(id);
    }
    return sparse.get(id) ?? allocate(id);
  }

  function release(s: number) {
    const id = slots[s * STRIDE + ID]!;
    if (id < DENSE_IDS) dense[id] = 0;
    else sparse.delete(id);
    slots[s * STRIDE + ID] = -1;
    flags[s] = 0;
    free.push(s);
  }

  /** One sample at `now` (within the current minute); `value` null for bad quality. */
  function sample(id: number, value: number | null, now: number): void {
    const s = slotOf(id);
    const o = s * STRIDE;
    let f = flags[s]! & ~DROPPED;
    if (f & HELD) {
      const dt = now - slots[o + SINCE]!;
      slots[o + AREA]! += slots[o + LAST]! * dt;
      slots[o + GOOD_MS]! += dt;
    }
    if (value === null || !Number.isFinite(value)) {
      flags[s] = f & ~HELD;
      return;
    }
    if (f & SEEN) {
      if (value < slots[o + MIN]!) slots[o + MIN] = value;
      if (value > slots[o + MAX]!) slots[o + MAX] = value;
    } else {
      slots[o + MIN] = slots[o + MAX] = value;
      f |= SEEN;
    }
    slots[o + LAST] = value;
    slots[o + SINCE] = now;
    flags[s] = f | HELD;
  }

  /** The current minute's rows as of `end`; then counting starts again at `next`, held values carried in. */
  function close(end: number, next: number): MinuteRows {
    const minute = start / MINUTE_MS;
    start = Math.floor(next / MINUTE_MS) * MINUTE_MS;
    let count = 0;
    for (let s = 0; s < used; s++) if (flags[s]! & SEEN) count++;
    const rows: MinuteRows = {
      minute,
      count,
      ids: new Float64Array(count),
      min: new Float64Array(count),
      max: new Float64Array(count),
      avg: new Float64Array(count),
      last: new Float64Array(count),
      weight: new Float64Array(count),
    };
    let k = 0;
    for (let s = 0; s < used; s++) {
      const o = s * STRIDE;
      const f = flags[s]!;
      if (f & HELD) {
        const dt = Math.max(0, end - slots[o + SINCE]!);
        slots[o + AREA]! += slots[o + LAST]! * dt;
        slots[o + GOOD_MS]! += dt;
      }
      if (f & SEEN) {
        const goodMs = slots[o + GOOD_MS]!;
        rows.ids[k] = slots[o + ID]!;
        rows.min[k] = slots[o + MIN]!;
        rows.max[k] = slots[o + MAX]!;
        rows.avg[k] = goodMs > 0 ? slots[o + AREA]! / goodMs : slots[o + LAST]!;
        rows.last[k] = slots[o + LAST]!;
        rows.weight[k] = goodMs;
        k++;
      }
      slots[o + AREA] = slots[o + GOOD_MS] = 0;
      if (f & HELD) {
        slots[o + MIN] = slots[o + MAX] = slots[o + LAST]!;
        slots[o + SINCE] = next;
        flags[s] = HELD | SEEN;
      } else if (f & DROPPED) {
        release(s);
      } else {
        flags[s] = 0;
      }
    }
    return rows;
  }

  return {
    sample,
    /** When the current minute ends (ms). */
    get minuteEnd() {
      return start + MINUTE_MS;
    },
    /**
     * Closes the current minute if it ended by `now`. After a stall of more than a minute (the
     * process was suspended, say) the minutes in between are not invented: held values count
     * again from `now`.
     */
    closeEnded(now: number): MinuteRows | null {
      const end = start + MINUTE_MS;
      if (now < end) return null;
      return close(end, now < end + MINUTE_MS ? end : now);
    },
    /** The unfinished current minute as of `now` (at shutdown); a later write of the same minute merges with it. */
    closePartial(now: number): MinuteRows {
      return close(now, now);
    },
    /**
     * Datapoints no longer polled here (deleted, disabled, or polled by another node) stop
     * carrying their value; what they had this minute is still written.
     */
    keepOnly(polled: ReadonlySet<number>): void {
      for (let s = 0; s < used; s++) {
        const id = slots[s * STRIDE + ID]!;
        if (id < 0 || polled.has(id)) continue; // a free slot, or still polled
        flags[s] = (flags[s]! & ~HELD) | DROPPED;
      }
    },
  };
}

export type MinuteAggregator = ReturnType<typeof createMinuteAggregator>;
