/** Test helper: an engine on a fake clock that records what it emits. */
import type { AlarmRecord } from './alarm-state.js';
import { createEngine } from './engine.js';
import { manualClock } from '../kernel/manual-clock.js';
import type { CommandEvent, EngineRule, Transition } from './types.js';
import type { Quality } from '../kernel/enums.js';

/** A stored record: the fields a test cares about, the rest as a fresh one has them. */
export function record(over: Partial<AlarmRecord> & Pick<AlarmRecord, 'rule_id'>): AlarmRecord {
  return {
    state: 'OK',
    acked: true,
    shelved_until: null,
    since: 0,
    value: null,
    out_of_service: null,
    escalation: 0,
    unacked_since: over.acked === false ? (over.since ?? 0) : null,
    escalated_at: null,
    ...over,
  };
}

/** 2025-01-06T00:00:00Z, a Monday. */
export const T0 = Date.UTC(2025, 0, 6);

export function rule(over: Partial<EngineRule> = {}): EngineRule {
  return {
    id: 1,
    datapoint_id: 1,
    name: 'r',
    severity: 'high',
    comparison: 'above',
    warning_threshold: 50,
    alarm_threshold: 80,
    deadband: 0,
    on_delay_ms: 0,
    off_delay_ms: 0,
    schedule: null,
    enabled: true,
    suppress_when: null,
    escalate_after_s: null,
    ...over,
  };
}

export function harness(rules: EngineRule[] = [rule()], restored?: AlarmRecord[], start = T0) {
  const clock = manualClock(start);
  const batches: Transition[][] = [];
  const commands: CommandEvent[] = [];
  /** what onRuleError was told, as [rule id, error] */
  const errors: [number, unknown][] = [];
  const engine = createEngine({
    clock,
    onTransitions: (t) => batches.push(t),
    onCommand: (c) => commands.push(c),
    onRuleError: (ruleId, err) => errors.push([ruleId, err]),
  });
  engine.load(rules, restored);
  return {
    clock,
    engine,
    batches,
    commands,
    errors,
    /** One sample at the clock's now. */
    send(datapointId: number, value: number | null, quality: Quality = 'good') {
      engine.ingest([{ datapoint_id: datapointId, value, quality, ts: clock.now() }]);
    },
    /** Transitions since the last call, as "rule:FROM>TO:reason" strings. */
    moves(): string[] {
      const out = batches.flat().map((t) => `${t.rule_id}:${t.from}>${t.to}:${t.reason}`);
      batches.length = 0;
      return out;
    },
  };
}
