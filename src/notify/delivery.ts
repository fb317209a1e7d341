import type { Clock } from '../kernel/clock.js';
import type { JournalEvent } from '../journal/events.js';
import type { Logger } from '../log/logger.js';
import { deadlineOf, nextAttempt, retryDelay } from './backoff.js';
import { cursorAt, type CursorStore, type DeliveryCursor } from './delivery-cursor.js';
import { describeFailure } from './delivery-error.js';
import { countersOf, NOTHING_YET, type DeliveryStatus } from './delivery-status.js';
import { wants } from './event-filter.js';
import type { Notifier } from './notifier.js';
import { digestMessage, eventMessage, eventTimeMs, type Outgoing, type RuleLookup } from './outgoing.js';
import type { Sink } from './sink.js';
import { createStormGuard, type Digest, type GuardEvent, type StormGuard } from './storm-guard.js';

export interface DeliveryOptions {
  notifier: Pick<Notifier, 'id' | 'name' | 'events' | 'min_severity' | 'max_per_rule_per_min'>;
  sink: Sink;
  /** Journal events with id > afterId, oldest first, at most `limit`. */
  readAfter(afterId: number, limit: number): Promise<JournalEvent[]>;
  cursor: CursorStore;
  clock: Clock;
  log: Logger;
  random: () => number;
  /** Severity, PLC, name and state of rules, for events that do not carry them. */
  rules?: RuleLookup;
  pageSize?: number;
  /** How long after a minute ends its digests wait for events journaled late: 2 s. */
  digestGraceMs?: number;
}

export interface Delivery {
  /** Loads the cursor and counters, rebuilds the storm guard's open minute, then delivers in the background. */
  start(): Promise<void>;
  /** New events are journaled: read them now if idle. */
  wake(): void;
  /** Aborts the attempt in flight (its event goes again after a restart) and ends the loop. */
  stop(): Promise<void>;
  status(): DeliveryStatus;
  /** Called on every change of status; returns the unsubscribe. */
  onStatus(listener: (status: DeliveryStatus) => void): () => void;
}

type Outcome = 'delivered' | 'abandoned' | 'stopped';

/**
 * A loop saves its cursor at most this often while it is busy (and at once when it idles or
 * stops), on the clock's slots of this length: every busy loop saves in the same slot, which the
 * cursor writer makes one commit on SQLite.
 */
const SAVE_EVERY_MS = 250;

/** The start of the slot after the one `ms` falls in. */
const nextSlot = (ms: number) => (Math.floor(ms / SAVE_EVERY_MS) + 1) * SAVE_EVERY_MS;

const iso = (ms: number) => new Date(ms).toISOString();
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * One notifier's delivery loop: events with id > cursor, in id order, at least once. A failed
 * message is retried with backoff and never skipped, until it is 24 h old (then it is counted
 * as abandoned and the loop moves on). The cursor is saved behind every delivered message, and the
 * status counters with it: the loop starts from the saved ones and goes on counting. Each
 * notifier has its own loop, so a slow endpoint holds up nothing but itself.
 */
export function createDelivery(o: DeliveryOptions): Delivery {
  const pageSize = o.pageSize ?? 100;
  const graceMs = o.digestGraceMs ?? 2_000;
  const label = `notifier ${o.notifier.id} (${o.notifier.name})`;
  const listeners = new Set<(status: DeliveryStatus) => void>();
  const current: Omit<DeliveryStatus, 'pending' | 'cursor'> = { state: 'starting', retrying: null, ...NOTHING_YET };

  let guard: StormGuard = createStormGuard(o.notifier.max_per_rule_per_min);
  let cursor: DeliveryCursor = cursorAt(0);
  let saved: DeliveryCursor = cursor;
  /** Bumped on every change of the counters: they are unsaved while it is not `savedCounts`. */
  let counts = 0;
  let savedCounts = 0;
  /** wanted events of the current page not yet taken */
  let wantedAhead = 0;
  let stopping = false;
  let woken = false;
  let waiting: { resolve: () => void; byWake: boolean } | null = null;
  /** Aborts the attempt in flight when the loop stops; one for the loop's life, none per message. */
  const stopper = new AbortController();
  let running: Promise<void> | null = null;
  let saving: Promise<void> | null = null;
  let lastSaveAt = -Infinity;
  /** Ends the wait of a save that is holding back (flush). */
  let hurry: (() => void) | null = null;
  /** Flushes waiting: saves go at once, also those the save loop comes to after the hurry. */
  let flushing = 0;

  /** When the last message was delivered, not yet in `current`: formatted when read or saved, not per message. */
  let deliveredAtMs: number | null = null;
  function stamped(): typeof current {
    if (deliveredAtMs !== null) current.last_delivered_at = iso(deliveredAtMs);
    deliveredAtMs = null;
    return current;
  }

  function status(): DeliveryStatus {
    return { ...stamped(), pending: wantedAhead + guard.holding(), cursor: cursor.through };
  }

  function changed(patch: Partial<typeof current>): void {
    Object.assign(current, patch);
    if (listeners.size === 0) return;
    const snapshot = status();
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch (err) {
        o.log.error(`${label}: status listener failed: ${String(err)}`);
      }
    }
  }

  /** A change of the counters: saved with the cursor by the next save. */
  function count(patch: Partial<typeof current>): void {
    counts++;
    changed(patch);
  }

  /** Resolves at `untilMs` (null: never), on stop, and on wake() when `byWake`. */
  function pause(untilMs: number | null, byWake: boolean): Promise<void> {
    if (stopping) return Promise.resolve(); // stop() came while the loop was busy: nothing will end this wait
    return new Promise((resolve) => {
      let timer: unknown;
      const done = () => {
        if (waiting !== entry) return;
        waiting = null;
        if (timer !== undefined) o.clock.clearTimer(timer);
        resolve();
      };
      const entry = { resolve: done, byWake };
      waiting = entry;
      if (untilMs !== null && untilMs <= o.clock.now())
        done(); // already due while the loop was busy
      else if (untilMs !== null) timer = o.clock.setTimer(untilMs, done);
    });
  }

  function guardEvent(e: JournalEvent): GuardEvent {
    const isState = e.type === 'alarm_state';
    return {
      id: e.id,
      ts_ms: eventTimeMs(e),
      rule_id: e.rule_id,
      counted: wants(o.notifier, e, o.rules),
      rule_name: isState ? text(e.payload.rule_name) : undefined,
      state: isState ? text(e.payload.state) : undefined,
    };
  }

  /** A fresh guard fed (replay_from, through] again: exactly the decisions made before. */
  async function rebuild(): Promise<void> {
    guard = createStormGuard(o.notifier.max_per_rule_per_min);
    let after = cursor.replay_from;
    while (after < cursor.through) {
      const events = await o.readAfter(after, pageSize);
      for (const e of events) {
        if (e.id > cursor.through) return;
        guard.offer(guardEvent(e));
        after = e.id;
      }
      if (events.length < pageSize) return;
    }
  }

  const unsaved = () => counts !== savedCounts || cursor.through !== saved.through || cursor.replay_from !== saved.replay_from;

  /**
   * Saves the cursor and the counters behind the loop: the next message goes out while the last
   * one's save is written, and at most once a SAVE_EVERY_MS slot, one write of the latest of both. On SQLite a save is
   * a commit, and its fsync blocks the main thread: saving after each message held ten notifiers
   * to a few hundred messages a second in all. A crash sends again what was delivered since the
   * last save landed (at most SAVE_EVERY_MS of messages): at least once, as SPEC 14 says.
   */
  function saveBehind(): void {
    saving ??= (async () => {
      while (unsaved()) {
        const due = nextSlot(lastSaveAt);
        if (flushing === 0 && o.clock.now() < due)
          await new Promise<void>((resolve) => {
            const timer = o.clock.setTimer(due, () => ((hurry = null), resolve()));
            hurry = () => {
              o.clock.clearTimer(timer);
              hurry = null;
              resolve();
            };
          });
        const next = cursor;
        const nextCounts = counts;
        try {
          await o.cursor.save({ cursor: next, counters: countersOf(stamped()) });
          saved = next;
          savedCounts = nextCounts;
          lastSaveAt = o.clock.now();
        } catch (err) {
          // Not fatal: the loop goes on, and the next save tries again (with this error in the counters).
          fault(`saving the cursor failed: ${describeFailure(err)}`);
          return;
        }
      }
    })().finally(() => (saving = null));
  }

  /** Saves now and waits for it: before idling and stopping. */
  async function flush(): Promise<void> {
    flushing++;
    try {
      saveBehind();
      hurry?.();
      await saving;
    } finally {
      flushing--;
    }
  }

  function fault(message: string): void {
    o.log.error(`${label}: ${message}`);
    count({ last_error: message, last_error_at: iso(o.clock.now()) });
  }

  async function deliver(message: Outgoing): Promise<Outcome> {
    const deadline = deadlineOf(Number.isFinite(message.born_ms) ? message.born_ms : o.clock.now());
    for (let failures = 0; ; ) {
      if (stopping) return 'stopped';
      changed({ state: 'sending' });

      try {
        await o.sink.send(message, stopper.signal);
        if (failures > 0) o.log.info(`${label}: delivered ${message.key} after ${failures} failed attempts`);
        // Saved by the caller once the cursor is past it: the same write, not one more.
        deliveredAtMs = o.clock.now();
        count({ delivered: current.delivered + 1, last_delivered_id: message.event_id ?? current.last_delivered_id, retrying: null });
        return 'delivered';
      } catch (err) {
        if (stopping) return 'stopped';
        failures++;
        const reason = describeFailure(err);
        const failed = { failed_attempts: current.failed_attempts + 1, last_error: reason, last_error_at: iso(o.clock.now()) };
        const next = nextAttempt(failures, deadline, o.clock.now(), o.random);
        if (next.kind === 'give_up') {
          o.log.error(`${label}: gave up on ${message.key} after ${failures} attempts over 24 h: ${reason}`);
          count({ ...failed, abandoned: current.abandoned + 1, last_abandoned_id: message.event_id, retrying: null });
          return 'abandoned';
        }
        if (failures === 1) o.log.warn(`${label}: ${message.key} failed (${reason}); retrying with backoff`);
        count({ ...failed, state: 'backing_off', retrying: { key: message.key, failures, next_attempt_at: iso(next.at) } });
        saveBehind(); // the cursor stays, but the failure is what a restart should show
        await pause(next.at, false);
      }
    }
  }

  async function sendDigests(digests: Digest[]): Promise<boolean> {
    for (const d of digests) {
      if ((await deliver(digestMessage(d, o.rules))) === 'stopped') return false;
    }
    return true;
  }

  /** Takes the next event; false when the loop stopped on the way. */
  async function take(e: JournalEvent): Promise<boolean> {
    if (e.id <= cursor.through) return true;
    const g = guardEvent(e);
    const step = guard.offer(g);
    if (step.opened !== null) {
      // The previous minute is over: its digests go first, then nothing before e needs replaying.
      if (!(await sendDigests(step.opened))) return false;
      cursor = { through: cursor.through, replay_from: cursor.through };
      if (step.opened.length > 0) saveBehind();
    }
    if (step.verdict === 'send' && (await deliver(eventMessage(e, o.rules))) === 'stopped') return false;
    if (g.counted) wantedAhead--;
    cursor = { through: e.id, replay_from: cursor.replay_from };
    if (step.verdict === 'send') saveBehind();
    return true;
  }

  /** Caught up: close a minute that is over, else wait for wake() or the minute's end. */
  async function idle(): Promise<void> {
    await flush(); // first: the clock may move while it is written
    const end = guard.minuteEnd();
    if (end !== null && o.clock.now() >= end + graceMs) {
      if (!(await sendDigests(guard.close()))) return;
      cursor = cursorAt(cursor.through);
      saveBehind();
      return;
    }
    if (woken) return;
    changed({ state: 'idle' });
    await pause(end !== null && guard.holding() > 0 ? end + graceMs : null, true);
  }

  async function run(): Promise<void> {
    let faults = 0;
    let rebuilt = true;
    while (!stopping) {
      woken = false;
      try {
        if (!rebuilt) await rebuild();
        rebuilt = true;
        const events = await o.readAfter(cursor.through, pageSize);
        faults = 0;
        if (stopping) return;
        if (events.length === 0) {
          await idle();
          continue;
        }
        wantedAhead = events.filter((e) => e.id > cursor.through && wants(o.notifier, e, o.rules)).length;
        for (const e of events) if (!(await take(e))) return;
        wantedAhead = 0;
        saveBehind();
      } catch (err) {
        // The journal could not be read, or a lookup threw: wait, then pick up from the cursor
        // with the guard rebuilt, since it may have seen an event the cursor has not passed.
        wantedAhead = 0;
        rebuilt = false;
        fault(`delivery loop: ${describeFailure(err)}`);
        await pause(o.clock.now() + retryDelay(++faults, o.random), false);
      }
    }
  }

  return {
    async start() {
      if (running !== null || stopping) return;
      changed({ state: 'starting' });
      const progress = await o.cursor.load();
      cursor = saved = progress.cursor;
      changed(countersOf(progress.counters)); // goes on counting from what was saved
      await rebuild();
      running = run().catch((err: unknown) => fault(`delivery loop ended: ${describeFailure(err)}`));
    },
    wake() {
      woken = true;
      if (waiting?.byWake) waiting.resolve();
    },
    async stop() {
      stopping = true;
      stopper.abort();
      waiting?.resolve();
      await running;
      await flush();
      changed({ state: 'stopped' });
    },
    status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
