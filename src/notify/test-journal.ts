/** For tests: a journal in memory with the read the delivery loop uses, and a cursor store. */
import type { JournalEvent } from '../journal/events.js';
import { cursorAt, type CursorStore, type DeliveryCursor, type SavedProgress } from './delivery-cursor.js';
import { NOTHING_YET } from './delivery-status.js';

export interface EventSpec {
  type?: string;
  rule_id?: number;
  state?: string;
  severity?: string;
  plc_id?: number;
  /** ms since epoch; default: the journal's clock */
  ts?: number;
  topic?: JournalEvent['topic'];
}

export function memoryJournal(now: () => number) {
  const events: JournalEvent[] = [];
  let reads = 0;
  return {
    events,
    /** How many times readAfter ran. */
    reads: () => reads,
    append(spec: EventSpec = {}): JournalEvent {
      const rule_id = spec.rule_id ?? 1;
      const type = spec.type ?? 'alarm_state';
      const payload: Record<string, unknown> =
        type === 'alarm_state'
          ? {
              rule_id,
              rule_name: `Rule ${rule_id}`,
              plc_id: spec.plc_id ?? 7,
              state: spec.state ?? 'ALARM',
              severity: spec.severity ?? 'high',
              message: `Rule Rule ${rule_id} -> ${spec.state ?? 'ALARM'}`,
            }
          : { rule_id, user: 'op', comment: null };
      const e: JournalEvent = {
        id: events.length + 1,
        topic: spec.topic ?? 'alarms',
        type,
        ts: new Date(spec.ts ?? now()).toISOString(),
        owner_id: null,
        rule_id,
        payload,
      };
      events.push(e);
      return e;
    },
    async readAfter(afterId: number, limit: number): Promise<JournalEvent[]> {
      reads++;
      return events.filter((e) => e.id > afterId).slice(0, limit);
    },
  };
}

/** A cursor and counters kept across "restarts" of the loop, as the database would. */
export function memoryCursor(start: DeliveryCursor = cursorAt(0)): CursorStore & {
  saved: SavedProgress[];
  /** Resolves once `n` saves have landed. */
  landed(n: number): Promise<SavedProgress[]>;
} {
  let current: SavedProgress = { cursor: start, counters: NOTHING_YET };
  const saved: SavedProgress[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    saved,
    load: async () => current,
    async save(progress) {
      current = progress;
      saved.push(progress);
      for (const w of waiting.filter((x) => saved.length >= x.n)) w.resolve();
    },
    async landed(n) {
      if (saved.length < n) await new Promise<void>((resolve) => waiting.push({ n, resolve }));
      return saved;
    },
  };
}
