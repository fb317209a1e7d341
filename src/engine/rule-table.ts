/**
 * Rules indexed by id and by datapoint (the hot path looks up the datapoint), each due at one
 * instant. Rules due at the same instant share one clock timer and fire together, so a
 * schedule edge that 1000 rules share is one batch of transitions (one journal transaction).
 */
import type { AlarmRecord } from './alarm-state.js';
import { nextEscalation } from './escalation.js';
import { newPoint, type PointState, type RuleSlot } from './rule-slot.js';
import { suppressedBy } from './suppression.js';
import type { Clock } from '../kernel/clock.js';
import type { EngineRule } from './types.js';

export interface RuleTable {
  readonly slots: Map<number, RuleSlot>;
  readonly points: Map<number, PointState>;
  pointFor(datapointId: number): PointState;
  attach(rule: EngineRule, record: AlarmRecord): RuleSlot;
  detach(slot: RuleSlot): void;
  /** Keeps the rule due at the earliest of delay, schedule edge, shelve end and next escalation. */
  arm(slot: RuleSlot): void;
  /** Follows the rule's suppress_when after an edit: watches its datapoint, reads it now. */
  watchSuppressor(slot: RuleSlot): void;
  /** Whether any rule has a suppress_when: the hot path skips the suppressor pass otherwise. */
  suppressing(): boolean;
  disarm(slot: RuleSlot): void;
}

export function createRuleTable(clock: Clock, onTimer: (due: RuleSlot[]) => void): RuleTable {
  const slots = new Map<number, RuleSlot>();
  const points = new Map<number, PointState>();
  /** Instant -> its clock timer and the rules due then. */
  const dueAt = new Map<number, { timer: unknown; slots: Set<RuleSlot> }>();

  function fire(at: number): void {
    const group = dueAt.get(at);
    dueAt.delete(at);
    if (group === undefined) return;
    for (const slot of group.slots) slot.timerAt = Infinity;
    onTimer([...group.slots].filter((slot) => slots.get(slot.rule.id) === slot));
  }

  function pointFor(datapointId: number): PointState {
    let point = points.get(datapointId);
    if (point === undefined) points.set(datapointId, (point = newPoint()));
    return point;
  }

  /** Registers the slot with its suppressing datapoint and takes that datapoint's condition now. */
  let watching = 0;

  function watchSuppressor(slot: RuleSlot): void {
    unwatchSuppressor(slot);
    const when = slot.rule.suppress_when;
    slot.suppressed = false;
    if (when === null) return;
    const point = pointFor(when.datapoint_id);
    point.suppresses.push(slot);
    slot.suppressor = point;
    watching++;
    slot.suppressed = suppressedBy(when, point);
  }

  function unwatchSuppressor(slot: RuleSlot): void {
    const watched = slot.suppressor?.suppresses;
    if (watched === undefined) return;
    watched.splice(watched.indexOf(slot), 1);
    slot.suppressor = null;
    watching--;
  }

  function disarm(slot: RuleSlot): void {
    const at = slot.timerAt;
    slot.timerAt = Infinity;
    const group = dueAt.get(at);
    if (group === undefined || !group.slots.delete(slot) || group.slots.size > 0) return;
    clock.clearTimer(group.timer);
    dueAt.delete(at);
  }

  return {
    slots,
    points,
    pointFor,
    disarm,
    watchSuppressor,
    suppressing: () => watching > 0,

    /** Never throws: the schedule is compiled by the engine's first (guarded) evaluation. */
    attach: function attach(rule, record) {
      const point = pointFor(rule.datapoint_id);
      const slot: RuleSlot = {
        rule: { ...rule },
        record,
        point,
        schedule: null,
        gateOpen: false,
        suppressor: null,
        suppressed: false,
        target: -1,
        since1: 0,
        since2: 0,
        due: Infinity,
        edgeAt: Infinity,
        timerAt: Infinity,
        failing: false,
      };
      point.rules.push(slot);
      slots.set(rule.id, slot);
      watchSuppressor(slot);
      return slot;
    },

    detach: function detach(slot) {
      disarm(slot);
      const rules = slot.point.rules;
      rules.splice(rules.indexOf(slot), 1);
      unwatchSuppressor(slot);
      slots.delete(slot.rule.id);
    },

    arm: function arm(slot) {
      // A rule that is not evaluated (disabled, out of service, suppressed...) does not escalate either.
      const escalation = slot.gateOpen || slot.failing ? nextEscalation(slot.record, slot.rule) : Infinity;
      const at = Math.min(slot.due, slot.edgeAt, slot.record.shelved_until ?? Infinity, escalation);
      if (at === slot.timerAt) return;
      disarm(slot);
      if (at === Infinity) return;
      slot.timerAt = at;
      let group = dueAt.get(at);
      if (group === undefined) dueAt.set(at, (group = { timer: clock.setTimer(at, () => fire(at)), slots: new Set() }));
      group.slots.add(slot);
    },
  };
}
