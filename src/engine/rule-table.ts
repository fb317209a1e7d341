/** Rules indexed by id and by datapoint (the hot path looks up the datapoint), each with one timer. */
import type { AlarmRecord } from './alarm-state.js';
import { newPoint, type PointState, type RuleSlot } from './rule-slot.js';
import { compileSchedule } from './schedule.js';
import type { Clock, EngineRule } from './types.js';

export interface RuleTable {
  readonly slots: Map<number, RuleSlot>;
  readonly points: Map<number, PointState>;
  pointFor(datapointId: number): PointState;
  attach(rule: EngineRule, record: AlarmRecord): RuleSlot;
  detach(slot: RuleSlot): void;
  /** Keeps the rule's single timer at the earliest of delay, schedule edge and shelve end. */
  arm(slot: RuleSlot): void;
  disarm(slot: RuleSlot): void;
}

export function createRuleTable(clock: Clock, onTimer: (slot: RuleSlot) => void): RuleTable {
  const slots = new Map<number, RuleSlot>();
  const points = new Map<number, PointState>();

  function pointFor(datapointId: number): PointState {
    let point = points.get(datapointId);
    if (point === undefined) points.set(datapointId, (point = newPoint()));
    return point;
  }

  function disarm(slot: RuleSlot): void {
    if (slot.timerAt !== Infinity) clock.clearTimer(slot.timer);
    slot.timerAt = Infinity;
    slot.timer = undefined;
  }

  return {
    slots,
    points,
    pointFor,
    disarm,

    attach: function attach(rule, record) {
      const schedule = rule.schedule === null ? null : compileSchedule(rule.schedule);
      const point = pointFor(rule.datapoint_id);
      const slot: RuleSlot = {
        rule: { ...rule }, record, point, schedule, gateOpen: false, target: -1, since1: 0, since2: 0,
        due: Infinity, edgeAt: Infinity, timerAt: Infinity, timer: undefined,
        fire: function fire() {
          slot.timerAt = Infinity;
          slot.timer = undefined;
          if (slots.get(slot.rule.id) === slot) onTimer(slot);
        },
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
      slot.timerAt = at;
      if (at !== Infinity) slot.timer = clock.setTimer(at, slot.fire);
    },
  };
}
