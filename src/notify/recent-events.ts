import type { JournalEvent } from '../journal/events.js';

/**
 * The journal's newest events as this node published them, for the delivery loops to read
 * instead of the database: ten busy notifiers each querying and parsing the same pages cost the
 * main thread ~8 % (bench-notify) and the database ten reads per page.
 *
 * It holds every event with an id in (floor, newest], in id order: a node publishes each event
 * once, in id order (what its streams rely on too), and this starts at the first batch it is
 * given. Anything older, or a range it cannot vouch for, is read from the database.
 */
export function createRecentEvents(capacity = 10_000) {
  let events: JournalEvent[] = [];
  /** Every event with an id above this and up to the newest is held; null until the first batch. */
  let floor: number | null = null;

  const newest = () => events.at(-1)?.id ?? floor!;

  return {
    /** Events just published, in id order, following the last ones. */
    add(batch: readonly JournalEvent[]): void {
      if (batch.length === 0) return;
      if (floor === null || batch[0]!.id <= newest()) {
        // The first batch, or (never expected) one out of order: start again from here.
        events = [];
        floor = batch[0]!.id - 1;
      }
      for (const e of batch) events.push(e);
      if (events.length >= 2 * capacity) {
        const cut = events.length - capacity;
        floor = events[cut - 1]!.id;
        events = events.slice(cut);
      }
    },

    /** Events with id > afterId, oldest first, at most `limit`; undefined when not all of them are held. */
    after(afterId: number, limit: number): JournalEvent[] | undefined {
      if (floor === null || afterId < floor) return undefined;
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (events[mid]!.id <= afterId) lo = mid + 1;
        else hi = mid;
      }
      return events.slice(lo, lo + limit);
    },
  };
}

export type RecentEvents = ReturnType<typeof createRecentEvents>;
