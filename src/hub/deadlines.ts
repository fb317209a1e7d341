import type { Clock } from '../kernel/clock.js';

/** Something with one deadline at a time: a stream whose sign-in window or token runs out. */
export interface Deadline {
  /** Epoch ms at which `due` is called. */
  deadlineAt: number;
  /** Where it sits in the queue; -1 while it is not in one (the queue keeps this). */
  deadlineSlot: number;
  due(): void;
}

/**
 * Every stream's deadline under one timer on the clock: a binary heap by `deadlineAt`, each
 * entry knowing its slot so it leaves in O(log n) when its stream closes first. A timer per
 * stream cost each idle connection a timeout object and a bound function; this costs a slot.
 */
export function createDeadlines(clock: Clock) {
  const heap: Deadline[] = [];
  let timer: unknown;
  /** When the timer fires (Infinity: none armed). It may be early, never late, for the head. */
  let armedAt = Infinity;

  const put = (d: Deadline, slot: number) => {
    heap[slot] = d;
    d.deadlineSlot = slot;
  };

  function up(slot: number): void {
    const d = heap[slot]!;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (heap[parent]!.deadlineAt <= d.deadlineAt) break;
      put(heap[parent]!, slot);
      slot = parent;
    }
    put(d, slot);
  }

  function down(slot: number): void {
    const d = heap[slot]!;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.deadlineAt < heap[left]!.deadlineAt ? right : left;
      if (heap[child]!.deadlineAt >= d.deadlineAt) break;
      put(heap[child]!, slot);
      slot = child;
    }
    put(d, slot);
  }

  function remove(d: Deadline): void {
    const slot = d.deadlineSlot;
    if (slot < 0 || heap[slot] !== d) return;
    d.deadlineSlot = -1;
    const last = heap.pop()!;
    if (last === d) return;
    put(last, slot);
    up(slot);
    down(last.deadlineSlot);
  }

  /** Arms the timer for the head unless one fires at or before it (a removed head leaves it early: harmless). */
  function arm(): void {
    const head = heap[0];
    if (head === undefined || head.deadlineAt >= armedAt) return;
    if (timer !== undefined) clock.clearTimer(timer);
    armedAt = head.deadlineAt;
    timer = clock.setTimer(armedAt, fire);
  }

  function fire(): void {
    timer = undefined;
    armedAt = Infinity;
    const now = clock.now();
    while (heap.length > 0 && heap[0]!.deadlineAt <= now) {
      const d = heap[0]!;
      remove(d);
      d.due();
    }
    arm();
  }

  return {
    /** Calls `d.due()` at `atMs`, in place of any deadline it had. */
    set(d: Deadline, atMs: number): void {
      remove(d);
      d.deadlineAt = atMs;
      heap.push(d);
      up(heap.length - 1);
      arm();
    },
    /** It has no deadline any more (a no-op if it had none). */
    clear: remove,
    get size(): number {
      return heap.length;
    },
    stop(): void {
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
      armedAt = Infinity;
    },
  };
}

export type Deadlines = ReturnType<typeof createDeadlines>;
