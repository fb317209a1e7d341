import * as v from 'valibot';
import { changesOf } from '../kernel/changes.js';
import type { Clock } from '../kernel/clock.js';
import { onUniqueViolation } from '../db/constraint.js';
import type { Db } from '../db/database.js';
import { journalRange, type NewEvent } from '../journal/events.js';
import { deleteNotifier, findNotifier, insertNotifier, listNotifiers, storedCounters, updateNotifier } from './notifier-repository.js';
import { conflict, notFound } from '../kernel/errors.js';
import { storedFields } from '../kernel/fields.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log/logger.js';
import { cursorAt } from './delivery-cursor.js';
import { DeliveryFailure, describeFailure } from './delivery-error.js';
import { DELIVERY_STATES } from './delivery-status.js';
import { MqttNotifierInput, notifierView, WebhookNotifierInput, type Notifier, type NotifierConfig } from './notifier.js';
import type { NotifierFleet, StartFailure } from './notifier-fleet.js';
import { sinkFor } from './notifier-sink.js';
import { testMessage } from './outgoing.js';

const nullableString = v.nullable(v.string());
const nullableId = v.nullable(v.number());

/**
 * `status` of a notifier read (SPEC 14): its loop's, or what it is when this node runs none.
 * `state` disabled: not enabled; other_node: enabled, and driven by another node of the cluster
 * (or none yet). The counters are the notifier's since it was created: the loop's, else those
 * saved in its row (in a cluster up to 250 ms behind the driving node's). `retrying` is the
 * loop's only. `cursor`: the last event id it is through; null when this node runs no loop for it.
 */
export const NotifierStatus = v.strictObject({
  state: v.picklist([...DELIVERY_STATES, 'disabled', 'other_node']),
  delivered: v.number(),
  pending: v.number(),
  failed_attempts: v.number(),
  last_error: nullableString,
  last_error_at: nullableString,
  last_delivered_at: nullableString,
  last_delivered_id: nullableId,
  abandoned: v.number(),
  last_abandoned_id: nullableId,
  retrying: v.nullable(v.strictObject({ key: v.string(), failures: v.number(), next_attempt_at: v.string() })),
  cursor: nullableId,
});
export type NotifierStatus = v.InferOutput<typeof NotifierStatus>;

/** A notifier as reads return it: the webhook secret never, a broker password masked. */
export const NotifierView = v.variant('kind', [
  v.strictObject({ id: v.number(), ...storedFields(v.omit(WebhookNotifierInput, ['secret']).entries), status: NotifierStatus }),
  v.strictObject({ id: v.number(), ...storedFields(MqttNotifierInput.entries), status: NotifierStatus }),
]);

/** The answer of `POST /api/notifiers/{id}/test`. */
export const TestResult = v.variant('ok', [
  v.strictObject({ ok: v.literal(true), key: v.string() }),
  v.strictObject({ ok: v.literal(false), key: v.string(), error: v.strictObject({ code: v.string(), message: v.string() }) }),
]);
export type TestResult = v.InferOutput<typeof TestResult>;

export interface NotifierServiceOptions {
  db: Db;
  journal: Journal;
  fleet: NotifierFleet;
  /** The rule's current alarm, for an MQTT test's retained state (a test belongs to no rule). */
  currentAlarm(ruleId: number): unknown;
  clock: Clock;
  log: Logger;
  /** Whether other nodes may drive notifiers (PostgreSQL). */
  clustered: boolean;
}

/** A `config` event (SPEC 5) about a notifier: never the secret, and not the URL, which is often a credential itself. */
export function notifierEvent(action: 'created' | 'updated' | 'deleted', n: Notifier, user: string | null, before?: Notifier): NewEvent {
  const shownOf = (x: Notifier) => {
    const { url: _url, status: _status, ...shown } = notifierView(x, null);
    return shown;
  };
  const shown = shownOf(n);
  const changes = before && changesOf(shownOf(before), shown);
  return {
    topic: 'config',
    type: `notifier_${action}`,
    payload: { notifier: shown, user, notifier_id: n.id, ...(changes && { changes }) },
  };
}

const duplicateName = (n: NotifierConfig) => () => conflict(`a notifier named "${n.name}" already exists`);

/** Notifier CRUD (SPEC 14), journaled as `config` events; the fleet runs what is enabled. */
export function notifierService(o: NotifierServiceOptions) {
  const { db, journal, fleet } = o;

  async function get(id: number): Promise<Notifier> {
    return (await findNotifier(db, id)) ?? Promise.reject(notFound('notifier'));
  }

  /** The counters saved in the row `n` was read from: no second read. A start failure is the last error. */
  const notRunning = (n: Notifier, state: NotifierStatus['state'], failure?: StartFailure): NotifierStatus => ({
    ...storedCounters(n),
    ...(failure && { last_error: failure.error, last_error_at: failure.at }),
    state,
    pending: 0,
    retrying: null,
    cursor: null,
  });

  return {
    list: () => listNotifiers(db),
    get,

    status(n: Notifier): NotifierStatus {
      const running = fleet.status(n.id);
      if (running) return running;
      if (!n.enabled) return notRunning(n, 'disabled');
      const failure = fleet.startFailure(n.id);
      return notRunning(n, failure || !o.clustered ? 'starting' : 'other_node', failure);
    },

    async create(input: NotifierConfig, user: string | null = null): Promise<Notifier> {
      // It starts with what happens next, not with the history.
      const start = cursorAt((await journalRange(db)).last);
      const created = await journal.record(async (trx, ts) => {
        const n = await onUniqueViolation(insertNotifier(trx, input, start, ts), duplicateName(input));
        return { result: n, events: [notifierEvent('created', n, user)] };
      });
      await fleet.sync(created.id);
      return created;
    },

    /** New settings (a PATCH merged and checked by the caller), with the running loop stopped first. */
    async update(id: number, config: NotifierConfig, user: string | null = null): Promise<Notifier> {
      const head = (await journalRange(db)).last;
      return fleet.whileStopped(id, () =>
        journal.record(async (trx, ts) => {
          const stored = await findNotifier(trx, id);
          if (!stored) throw notFound('notifier');
          // Enabled again: what happened while it was off is not sent; it starts from now, as a new
          // one, but keeps its counters (updateNotifier says why).
          const restart = !stored.enabled && config.enabled ? cursorAt(head) : undefined;
          const n = await onUniqueViolation(updateNotifier(trx, id, config, ts, restart), duplicateName(config));
          return { result: n, events: [notifierEvent('updated', n, user, stored)] };
        }),
      );
    },

    async remove(id: number, user: string | null = null): Promise<void> {
      await get(id);
      await fleet.whileStopped(id, () =>
        journal.record(async (trx) => {
          const stored = await findNotifier(trx, id);
          if (!stored) throw notFound('notifier');
          await deleteNotifier(trx, id);
          return { result: undefined, events: [notifierEvent('deleted', stored, user)] };
        }),
      );
    },

    /** Sends one test message now, beside the delivery loop (disabled notifiers too). */
    async test(id: number): Promise<TestResult> {
      const n = await get(id);
      const message = testMessage(n, o.clock.now());
      const sink = sinkFor(n, { currentAlarm: o.currentAlarm, clock: o.clock, log: o.log });
      try {
        await sink.send(message, new AbortController().signal); // the sink's own time-out bounds it
        return { ok: true, key: message.key };
      } catch (err) {
        const code = err instanceof DeliveryFailure ? err.code : 'connection';
        return { ok: false, key: message.key, error: { code, message: describeFailure(err) } };
      } finally {
        await sink.close().catch(() => {});
      }
    },
  };
}

export type NotifierService = ReturnType<typeof notifierService>;
