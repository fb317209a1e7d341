/** The rule engine: samples in, alarm transitions out, as data. Time and timers come from `clock`. */
import { applyInput, isActive, type AlarmInput, type AlarmRecord } from './alarm-state.js';
import { acknowledge, shelve as shelveRecord, unshelve as unshelveRecord } from './commands.js';
import type { Level } from './levels.js';
import { evaluate, forget, NO_CHANGE, TO_UNKNOWN, type RuleSlot } from './rule-slot.js';
import { createRuleTable } from './rule-table.js';
import { compileSchedule, isScheduleActive, nextScheduleEdge } from './schedule.js';
import type { AlarmView, CommandEvent, Engine, EngineOptions, EngineRule, Transition } from './types.js';

type EvalReason = 'value' | 'schedule' | 'rule_changed';
const QUALITY_LOST: AlarmInput = { kind: 'quality_lost' };
const FAULT: AlarmInput = { kind: 'fault' };

export function createEngine(options: EngineOptions): Engine {
  const { clock, onTransitions, onCommand, onRuleError } = options;
  const table = createRuleTable(clock, onTimer);
  const { slots, points, arm } = table;
  let evaluations = 0;

  function commit(slot: RuleSlot, input: AlarmInput, ts: number, out: Transition[]): void {
    // Into UNKNOWN without a value: one the rule could not evaluate says no more than none.
    const value = slot.point.good && input !== FAULT ? slot.point.value : null;
    const change = applyInput(slot.record, input, ts, value);
    if (change === null) return;
    const { acked, shelved_until } = slot.record;
    out.push({ rule_id: slot.rule.id, ...change, value, ts, acked, shelved: shelved_until !== null, rule: slot.rule });
  }

  /** Evaluates one rule at `now`; allocates only when the state changes. */
  function step(slot: RuleSlot, flipTs: number, now: number, reason: EvalReason, out: Transition[] | null): Transition[] | null {
    if (slot.point.seen) evaluations++;
    const dueBefore = slot.due;
    const outcome = evaluate(slot, flipTs, now);
    if (slot.due !== dueBefore) arm(slot);
    // Last, so that a throw above has changed no record and lost no transition.
    if (outcome !== NO_CHANGE) {
      out ??= [];
      commit(slot, outcome === TO_UNKNOWN ? QUALITY_LOST : levelInput(slot, outcome, reason), now, out);
    }
    return out;
  }

  /** step(), with a throw contained to its rule. */
  function tryStep(slot: RuleSlot, flipTs: number, now: number, reason: EvalReason, out: Transition[] | null): Transition[] | null {
    try {
      return step(slot, flipTs, now, reason, out);
    } catch (err) {
      out ??= [];
      fail(slot, err, now, out);
      return out;
    }
  }

  function levelInput(slot: RuleSlot, level: Level, reason: EvalReason): AlarmInput {
    return slot.failing ? { kind: 'recovered', level, reason } : { kind: 'level', level, reason };
  }

  /** Re-reads enabled + schedule at `now`: closed means OK, open evaluates the last value. */
  function refreshGate(slot: RuleSlot, now: number, reason: EvalReason, out: Transition[]): void {
    const rule = slot.rule;
    const schedule = rule.schedule === null ? null : (slot.schedule ??= compileSchedule(rule.schedule));
    slot.gateOpen = rule.enabled && (schedule === null || isScheduleActive(schedule, now));
    slot.edgeAt = rule.enabled && schedule !== null ? (nextScheduleEdge(schedule, now) ?? Infinity) : Infinity;
    if (slot.gateOpen) step(slot, slot.point.changedAt, now, reason, out);
    else {
      forget(slot);
      commit(slot, { kind: 'inactive', reason: rule.enabled ? 'schedule' : 'disabled' }, now, out);
    }
    arm(slot);
  }

  /** refreshGate(), with a throw contained to its rule; a failing rule that runs cleanly recovers. */
  function refresh(slot: RuleSlot, now: number, reason: EvalReason, out: Transition[]): void {
    try {
      refreshGate(slot, now, reason, out);
    } catch (err) {
      fail(slot, err, now, out);
      return;
    }
    if (!slot.failing) return;
    slot.failing = false;
    // With no value yet it is as a fresh rule: OK (no value is not bad quality).
    if (slot.record.state === 'UNKNOWN' && !slot.point.seen) commit(slot, { kind: 'recovered', level: 0, reason }, now, out);
  }

  /**
   * A rule whose evaluation threw goes UNKNOWN (reason `error`) and stops being evaluated until
   * its next changed value, edit or reload tries again. Told to onRuleError once per failure.
   */
  function fail(slot: RuleSlot, err: unknown, now: number, out: Transition[]): void {
    forget(slot);
    slot.gateOpen = false;
    slot.edgeAt = Infinity;
    commit(slot, FAULT, now, out);
    arm(slot); // a shelve still ends on time
    if (slot.failing) return;
    slot.failing = true;
    report(slot.rule.id, err);
  }

  function report(ruleId: number, err: unknown): void {
    try {
      onRuleError?.(ruleId, err);
    } catch {
      // a reporter that throws has no one left to tell
    }
  }

  /** Rules due at one instant: their transitions go out as one batch; a rule that throws costs only itself. */
  function onTimer(due: RuleSlot[]): void {
    const now = clock.now();
    const out: Transition[] = [];
    for (const slot of due) {
      expireShelf(slot, now);
      if (slot.edgeAt <= now) refresh(slot, now, 'schedule', out);
      else if (slot.gateOpen && slot.due <= now) tryStep(slot, slot.point.changedAt, now, 'value', out);
      arm(slot);
    }
    deliver(out);
  }

  function expireShelf(slot: RuleSlot, now: number): void {
    const until = slot.record.shelved_until;
    if (until === null || until > now) return;
    const result = unshelveRecord(slot.record, 'expired');
    if (result.kind === 'unshelved') emit(result);
  }

  // The callbacks run inside clock timers: what they throw must not escape to the runtime.
  function emit(event: CommandEvent): void {
    try {
      onCommand?.(event);
    } catch (err) {
      report(event.rule_id, err);
    }
  }

  function deliver(out: Transition[]): void {
    if (out.length === 0) return;
    try {
      onTransitions(out);
    } catch (err) {
      for (const ruleId of new Set(out.map((t) => t.rule_id))) report(ruleId, err);
    }
  }

  /** Restored records are taken as they are: nothing standing is re-announced. */
  function adopt(rules: readonly EngineRule[], restored: readonly AlarmRecord[] = []): void {
    const saved = new Map(restored.map((r) => [r.rule_id, r]));
    const now = clock.now();
    const out: Transition[] = [];
    for (const rule of rules) {
      if (slots.has(rule.id)) continue;
      const record = saved.get(rule.id);
      const slot = table.attach(rule, record === undefined ? freshRecord(rule.id, now) : { ...record });
      expireShelf(slot, now); // shelves that ran out while we were down end now
      refresh(slot, now, 'value', out);
    }
    deliver(out);
  }

  const view = (slot: RuleSlot): AlarmView => ({ ...slot.record, rule: slot.rule });
  const notFound = (ruleId: number) => ({ kind: 'not_found', rule_id: ruleId }) as const;

  return {
    load: function load(rules, restored = []) {
      for (const slot of [...slots.values()]) table.detach(slot);
      adopt(rules, restored);
    },

    adopt,

    release: function release(ruleId) {
      const slot = slots.get(ruleId);
      if (slot === undefined) return false;
      table.detach(slot);
      return true;
    },


    ingest: function ingest(samples) {
      let out: Transition[] | null = null;
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i]!;
        const point = table.pointFor(sample.datapoint_id);
        const value = sample.value;
        const good = sample.quality === 'good' && value !== null && Number.isFinite(value);
        point.rawNull = value === null;
        point.raw = value ?? 0;
        point.quality = sample.quality;
        point.ts = sample.ts;
        const rules = point.rules;
        if (point.seen && good === point.good && (!good || value === point.value)) {
          // Unchanged: only a delay that has come due by this sample's time needs a look.
          for (let j = 0; j < rules.length; j++) {
            const slot = rules[j]!;
            if (slot.due <= sample.ts) out = tryStep(slot, point.changedAt, sample.ts, 'value', out);
          }
          continue;
        }
        point.seen = true;
        point.good = good;
        point.value = good ? value : NaN;
        point.changedAt = sample.ts;
        for (let j = 0; j < rules.length; j++) {
          const slot = rules[j]!;
          if (slot.failing) refresh(slot, sample.ts, 'value', (out ??= [])); // a new value: try it again
          else if (slot.gateOpen) out = tryStep(slot, sample.ts, sample.ts, 'value', out);
        }
      }
      if (out !== null) deliver(out);
    },

    upsertRule: function upsertRule(rule) {
      const now = clock.now();
      let slot = slots.get(rule.id);
      if (slot !== undefined && slot.rule.datapoint_id !== rule.datapoint_id) {
        table.detach(slot); // another signal: its delay history does not carry over
        const failing = slot.failing;
        slot = table.attach(rule, slot.record);
        slot.failing = failing;
      } else if (slot !== undefined) {
        slot.rule = { ...rule };
        slot.schedule = null; // compiled again from the new rule
      } else slot = table.attach(rule, freshRecord(rule.id, now));
      const out: Transition[] = [];
      refresh(slot, now, 'rule_changed', out);
      deliver(out);
    },

    removeRule: function removeRule(ruleId) {
      const slot = slots.get(ruleId);
      if (slot === undefined) return false;
      const out: Transition[] = [];
      commit(slot, { kind: 'inactive', reason: 'deleted' }, clock.now(), out);
      table.detach(slot);
      deliver(out);
      return true;
    },

    ack: function ack(ruleId, ts) {
      const slot = slots.get(ruleId);
      return slot === undefined ? notFound(ruleId) : acknowledge(slot.record, ts);
    },

    shelve: function shelve(ruleId, untilMs) {
      const slot = slots.get(ruleId);
      if (slot === undefined) return notFound(ruleId);
      const result = shelveRecord(slot.record, untilMs);
      arm(slot);
      return result;
    },

    unshelve: function unshelve(ruleId) {
      const slot = slots.get(ruleId);
      if (slot === undefined) return notFound(ruleId);
      const result = unshelveRecord(slot.record, 'manual');
      arm(slot);
      return result;
    },

    active: function active(includeShelved = false) {
      const list: AlarmView[] = [];
      for (const slot of slots.values()) {
        if (isActive(slot.record) && (includeShelved || slot.record.shelved_until === null)) list.push(view(slot));
      }
      return list;
    },

    get: function get(ruleId) {
      const slot = slots.get(ruleId);
      return slot === undefined ? undefined : view(slot);
    },

    lastValue: function lastValue(datapointId) {
      const point = points.get(datapointId);
      if (point === undefined || !point.seen) return undefined;
      return { value: point.rawNull ? null : point.raw, quality: point.quality, ts: point.ts };
    },

    stats: function stats() {
      let timers = 0;
      for (const slot of slots.values()) if (slot.timerAt !== Infinity) timers++;
      return { evaluations, rules: slots.size, datapoints: points.size, timers };
    },

    stop: function stop() {
      for (const slot of slots.values()) table.disarm(slot);
    },
  };
}

/** A rule with no history: OK and acknowledged until a value says otherwise (no value is not bad quality). */
function freshRecord(ruleId: number, now: number): AlarmRecord {
  return { rule_id: ruleId, state: 'OK', acked: true, shelved_until: null, since: now, value: null };
}
