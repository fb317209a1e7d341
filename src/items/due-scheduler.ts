import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log/logger.js';
import { fire } from './due-time.js';
import { dueEvent } from './item-events.js';
import { earliestDue, listDueItems, markFired } from './item-repository.js';

/** Items fired in one transaction; more wait for the next round, straight after. */
const BATCH = 200;
/** After a failed round (the database was busy or closing), try again this much later. */
const RETRY_MS = 30_000;

/**
 * Fires `item_due` when items come due. One clock timer, armed for the earliest `next_due_at`
 * in the database and re-armed after every change and every firing. Each firing is journaled
 * with the item's new due bookkeeping in one transaction, so a restart neither repeats nor
 * loses one: whatever came due while the server was down fires once at start, `late: true`.
 * Rounds run one at a time, in order.
 */
export function createDueScheduler(db: Db, journal: Journal, clock: Clock, log: Logger) {
  let timer: unknown;
  let armedFor: number | null = null;
  let stopped = true;
  let rounds: Promise<void> = Promise.resolve();

  function disarm() {
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
    armedFor = null;
  }

  function arm(at: number | null) {
    if (timer !== undefined && at === armedFor) return;
    disarm();
    if (at === null) return;
    armedFor = at;
    timer = clock.setTimer(at, function itemsDue() {
      timer = undefined;
      armedFor = null;
      void reschedule();
    });
  }

  /** Fires what is due now (in the journal's transaction, whose `ts` is the firing time). */
  function fireDue(): Promise<void> {
    return journal.record(async (trx, ts) => {
      const now = Date.parse(ts);
      const events = [];
      for (const s of await listDueItems(trx, now, BATCH)) {
        const dueAt = s.nextDueAt ?? now;
        try {
          const fired = fire(s.item, dueAt, now);
          await markFired(trx, s.item.id, fired.dueAt, fired.next);
          events.push(dueEvent(s.item, s.ownerId, fired.dueAt, fired.late));
        } catch (err) {
          // A zone Intl no longer knows, say: stop scheduling this item rather than retry forever.
          log.error(`items: item ${s.item.id} cannot be scheduled: ${String(err)}`);
          await markFired(trx, s.item.id, dueAt, null);
        }
      }
      return { result: undefined, events };
    });
  }

  async function round(): Promise<void> {
    if (stopped) return;
    try {
      for (;;) {
        const at = await earliestDue(db);
        if (stopped) return;
        if (at === null || at > clock.now()) return arm(at);
        await fireDue();
      }
    } catch (err) {
      if (stopped) return;
      log.error(`items: firing due items failed, retrying in ${RETRY_MS / 1000} s: ${String(err)}`);
      arm(clock.now() + RETRY_MS);
    }
  }

  /** Fires whatever is due and re-arms the timer; resolves once done. Call after every change. */
  function reschedule(): Promise<void> {
    rounds = rounds.then(round);
    return rounds;
  }

  return {
    reschedule,
    /** Fires what came due while the server was down, then keeps time. */
    start(): Promise<void> {
      stopped = false;
      return reschedule();
    },
    /** Stops the timer and waits for a round in progress, so nothing writes after shutdown. */
    async stop(): Promise<void> {
      stopped = true;
      disarm();
      await rounds;
    },
  };
}

export type DueScheduler = ReturnType<typeof createDueScheduler>;
