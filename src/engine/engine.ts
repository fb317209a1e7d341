/** The rule engine: samples in, alarm transitions out, as data. Time and timers come from `clock`. */
import { applyInput, isActive, type AlarmInput, type AlarmRecord } from './alarm-state.js';
import { acknowledge, shelve as shelveRecord, unshelve as unshelveRecord } from './commands.js';
import { escalate, nextEscalation } from './escalation.js';
import { LEVEL_STATE } from './alarm-state.js';
import { levelFor, type Level } from './levels.js';
import { evaluate, forget, NO_CHANGE, TO_UNKNOWN, type RuleSlot } from './rule-slot.js';
import { createRuleTable } from './rule-table.js';
import { compileSchedule, isScheduleActive, nextScheduleEdge } from './schedule.js';
import { suppressionHolds } from './suppression.js';
import type { AlarmView, CommandEvent, Engine, EngineOptions, EngineRule, SuppressedView, Transition } from './types.js';
import type { Sample } from '../kernel/samples.js';

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
    if (slot.rule.escalate_after_s !== null) arm(slot); // an annunciation starts the escalation clock
    const { acked, shelved_until, escalation } = slot.record;
    out.push({ rule_id: slot.rule.id, ...change, value, ts, acked, shelved: shelved_until !== null, escalation, rule: slot.rule });
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

  /**
   * Re-reads what lets the rule be evaluated at `now` (enabled, in service, schedule, suppression):
   * closed means OK for the first reason that closes it, open evaluates the last value with its
   * conditions dated `flipTs` (by default when the value last changed).
   */
  function refreshGate(slot: RuleSlot, now: number, reason: EvalReason, out: Transition[], flipTs = slot.point.changedAt): void {
    const rule = slot.rule;
    const schedule = rule.schedule === null ? null : (slot.schedule ??= compileSchedule(rule.schedule));
    const closedBy = !rule.enabled
      ? 'disabled'
      : slot.record.out_of_service !== null
        ? 'out_of_service'
        : schedule !== null && !isScheduleActive(schedule, now)
          ? 'schedule'
          : slot.suppressed
            ? 'suppressed'
            : null;
    slot.gateOpen = closedBy === null;
    slot.edgeAt = rule.enabled && schedule !== null ? (nextScheduleEdge(schedule, now) ?? Infinity) : Infinity;
    if (closedBy === null) step(slot, flipTs, now, reason, out);
    else {
      forget(slot);
      commit(slot, { kind: 'inactive', reason: closedBy }, now, out);
    }
    arm(slot);
  }

  /** refreshGate(), with a throw contained to its rule; a failing rule that runs cleanly recovers. */
  function refresh(slot: RuleSlot, now: number, reason: EvalReason, out: Transition[], flipTs?: number): void {
    try {
      refreshGate(slot, now, reason, out, flipTs);
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
      if ((slot.gateOpen || slot.failing) && nextEscalation(slot.record, slot.rule) <= now) emit(escalate(slot.record, now));
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

  /**
   * Samples of suppressing datapoints, before the batch is evaluated: a pump that stops in the
   * same poll as its flow drops suppresses the low-flow alarm instead of letting it through first.
   * A suppression that ends starts the rule's delays afresh (the process is starting up).
   */
  function applySuppressors(samples: readonly Sample[]): Transition[] | null {
    let out: Transition[] | null = null;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i]!;
      const watchers = points.get(sample.datapoint_id)?.suppresses;
      if (watchers === undefined || watchers.length === 0) continue;
      const value = sample.value;
      const good = sample.quality === 'good' && value !== null && Number.isFinite(value);
      for (const slot of watchers) {
        const holds = suppressionHolds(slot.rule.suppress_when!, good, value ?? NaN);
        if (holds === slot.suppressed) continue;
        slot.suppressed = holds;
        if (!slot.failing) refresh(slot, sample.ts, 'value', (out ??= []), sample.ts);
      }
    }
    return out;
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
      let out: Transition[] | null = table.suppressing() ? applySuppressors(samples) : null;
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
          if (slot.failing)
            refresh(slot, sample.ts, 'value', (out ??= [])); // a new value: try it again
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
        table.watchSuppressor(slot);
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
      if (slot === undefined) return notFound(ruleId);
      const result = acknowledge(slot.record, ts);
      arm(slot); // no more escalation
      return result;
    },

    outOfService: function outOfService(ruleId, { user, comment }) {
      const slot = slots.get(ruleId);
      if (slot === undefined) return notFound(ruleId);
      if (slot.record.out_of_service !== null) return { kind: 'unchanged', rule_id: ruleId };
      const since = clock.now();
      slot.record.out_of_service = { since, user, comment };
      const transitions: Transition[] = [];
      refresh(slot, since, 'value', transitions);
      return { kind: 'out_of_service', rule_id: ruleId, user, comment, since, transitions };
    },

    returnToService: function returnToService(ruleId, { user, comment }) {
      const slot = slots.get(ruleId);
      if (slot === undefined) return notFound(ruleId);
      if (slot.record.out_of_service === null) return { kind: 'unchanged', rule_id: ruleId };
      slot.record.out_of_service = null;
      const transitions: Transition[] = [];
      if (!slot.failing) refresh(slot, clock.now(), 'value', transitions);
      return { kind: 'in_service', rule_id: ruleId, user, comment, transitions };
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
        if (!isActive(slot.record) || isSuppressed(slot)) continue;
        if (includeShelved || slot.record.shelved_until === null) list.push(view(slot));
      }
      return list;
    },

    outOfServiceList: function outOfServiceList() {
      const list: AlarmView[] = [];
      for (const slot of slots.values()) if (slot.record.out_of_service !== null) list.push(view(slot));
      return list;
    },

    suppressed: function suppressed() {
      const list: SuppressedView[] = [];
      for (const slot of slots.values()) {
        if (!isSuppressed(slot)) continue;
        const point = slot.point;
        if (!point.seen) continue;
        const wouldBe = point.good ? LEVEL_STATE[levelFor(slot.rule, point.value, -1)] : 'UNKNOWN';
        list.push({ alarm: view(slot), would_be: wouldBe });
      }
      return list;
    },

    counts: function counts() {
      let shelved = 0;
      let outOfService = 0;
      let suppressed = 0;
      for (const slot of slots.values()) {
        if (slot.record.out_of_service !== null) outOfService++;
        else if (slot.record.shelved_until !== null) shelved++;
        if (isSuppressed(slot)) suppressed++;
      }
      return { shelved, out_of_service: outOfService, suppressed };
    },

    get: function get(ruleId) {
      const slot = slots.get(ruleId);
      return slot === undefined ? undefined : view(slot);
    },

    has: (ruleId) => slots.has(ruleId),

    lastValue: function lastValue(datapointId) {
      const point = points.get(datapointId);
      if (point === undefined || !point.seen) return undefined;
      return { value: point.rawNull ? null : point.raw, quality: point.quality, ts: point.ts };
    },

    watches: (datapointId) => (points.get(datapointId)?.suppresses.length ?? 0) > 0,

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

/** Held at OK by its suppression (not by being disabled or out of service): off the active list, as ISA-18.2 wants. */
function isSuppressed(slot: RuleSlot): boolean {
  return slot.suppressed && !slot.gateOpen && !slot.failing && slot.rule.enabled && slot.record.out_of_service === null;
}

/** A rule with no history: OK and acknowledged until a value says otherwise (no value is not bad quality). */
function freshRecord(ruleId: number, now: number): AlarmRecord {
  return {
    rule_id: ruleId,
    state: 'OK',
    acked: true,
    shelved_until: null,
    since: now,
    value: null,
    out_of_service: null,
    escalation: 0,
    unacked_since: null,
    escalated_at: null,
  };
}
