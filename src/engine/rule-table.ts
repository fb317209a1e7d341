/**
 * Rules indexed by id and by datapoint (the hot path looks up the datapoint), each due at one
 * instant. Rules due at the same instant share one clock timer and fire together, so a
 * schedule edge that 1000 rules share is one batch of transitions (one journal transaction).
 */
import type { AlarmRecord } from './alarm-state.js';
import { newPoint, type PointState, type RuleSlot } from './rule-slot.js';
import type { Clock, EngineRule } from './types.js';

export interface RuleTable {
  readonly slots: Map<number, RuleSlot>;
  readonly points: Map<number, PointState>;
  pointFor(datapointId: number): PointState;
  attach(rule: EngineRule, record: AlarmRecord): RuleSlot;
  detach(slot: RuleSlot): void;
  /** Keeps the rule due at the earliest of delay, schedule edge and shelve end. */
  arm(slot: RuleSlot): void;
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

    /** Never throws: the schedule is compiled by the engine's first (guarded) evaluation. */
    attach: function attach(rule, record) {
      const point = pointFor(rule.datapoint_id);
      const slot: RuleSlot = {
        rule: { ...rule }, record, point, schedule: null, gateOpen: false, target: -1, since1: 0, since2: 0,
        due: Infinity, edgeAt: Infinity, timerAt: Infinity, failing: false,
      };
      point.rules.push(slot);
      slots.set(rule.id, slot);
      return slot;
    },

    detach: function detach(slot) {
      disarm(slot);
      const rules = slot.point.rules;
      rules.splice(rules.indexOf(slot), 1);
      slots.delete(slot.rule.id);
    },

    arm: function arm(slot) {
      const at = Math.min(slot.due, slot.edgeAt, slot.record.shelved_until ?? Infinity);
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
