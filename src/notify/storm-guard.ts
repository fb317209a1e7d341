/**
 * The storm guard of SPEC 14 for one notifier: per rule, at most `limit` events in a clock
 * minute go out; the rule's further events of that minute are held and summed into one digest
 * sent after the minute ends.
 *
 * Deterministic: every decision depends only on the events offered, in id order, and their
 * journal `ts`, never on when they are offered. Only one minute is open at a time (the journal
 * stamps events in id order), so replaying the open minute's events rebuilds the exact state a
 * crash lost; the delivery loop keeps the id before that minute in its cursor for that.
 * An event stamped in a minute the loop already closed by the clock (journaled later than
 * the grace allowed) starts that minute afresh, and a replay does the same: the cursor is
 * saved with nothing open after such a close.
 */

const MINUTE_MS = 60_000;

/** What the guard needs to know of one journaled event. */
export interface GuardEvent {
  id: number;
  ts_ms: number;
  rule_id: number | null;
  /** False when the notifier does not send this event: it still moves time on and tells the rule's state. */
  counted: boolean;
  rule_name?: string | undefined;
  /** The state an `alarm_state` event entered. */
  state?: string | undefined;
}

/** `alarm_digest` of SPEC 14 with the end of its minute; a null name or state was not in the minute's events. */
export interface Digest {
  rule_id: number;
  rule_name: string | null;
  count: number;
  first_id: number;
  last_id: number;
  state: string | null;
  minute_end_ms: number;
}

/** send: it goes out now; hold: it is summed into a digest; skip: the notifier does not want it. */
export type Verdict = 'send' | 'hold' | 'skip';

export interface GuardStep {
  /** Set when this event opened a new minute: the digests of the one it ended, possibly none. */
  opened: Digest[] | null;
  verdict: Verdict;
}

interface RuleMinute {
  sent: number;
  held: number;
  first_id: number;
  last_id: number;
  name: string | null;
  state: string | null;
}

export interface StormGuard {
  offer(e: GuardEvent): GuardStep;
  /** The end of the open minute, or null when none is open. */
  minuteEnd(): number | null;
  /** How many digests the open minute holds events for. */
  holding(): number;
  /** Ends the open minute now, returning its digests: the loop calls it once the clock is past minuteEnd(). */
  close(): Digest[];
}

export function createStormGuard(limit: number): StormGuard {
  let open: number | null = null;
  // A journal ts that steps back (a clock set back) counts in the newest minute seen.
  let newest = -Infinity;
  const rules = new Map<number, RuleMinute>();
  /** rules of the open minute with held events */
  let holding = 0;

  function close(): Digest[] {
    if (open === null) return [];
    const minute_end_ms = (open + 1) * MINUTE_MS;
    const digests: Digest[] = [];
    for (const [rule_id, r] of rules) {
      if (r.held === 0) continue;
      digests.push({ rule_id, rule_name: r.name, count: r.held, first_id: r.first_id, last_id: r.last_id, state: r.state, minute_end_ms });
    }
    rules.clear();
    holding = 0;
    open = null;
    return digests.sort((a, b) => a.first_id - b.first_id);
  }

  return {
    offer: function offer(e) {
      const minute = Math.max(Math.floor(e.ts_ms / MINUTE_MS), newest);
      newest = minute;
      let opened: Digest[] | null = null;
      if (minute !== open) {
        opened = close();
        open = minute;
      }
      if (e.rule_id === null) return { opened, verdict: e.counted ? 'send' : 'skip' };
      let r = rules.get(e.rule_id);
      if (!r) rules.set(e.rule_id, (r = { sent: 0, held: 0, first_id: 0, last_id: 0, name: null, state: null }));
      if (e.rule_name !== undefined) r.name = e.rule_name;
      if (e.state !== undefined) r.state = e.state;
      if (!e.counted) return { opened, verdict: 'skip' };
      if (r.sent < limit) {
        r.sent++;
        return { opened, verdict: 'send' };
      }
      if (r.held++ === 0) {
        r.first_id = e.id;
        holding++;
      }
      r.last_id = e.id;
      return { opened, verdict: 'hold' };
    },
    minuteEnd: () => (open === null ? null : (open + 1) * MINUTE_MS),
    holding: () => holding,
    close,
  };
}
