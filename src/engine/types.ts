/** The slice of the plant model the engine needs, and what it hands back. Input is already validated. */
import type { Clock } from '../kernel/clock.js';
import type { AlarmState, Comparison, Quality, Severity } from '../kernel/enums.js';
import type { Sample } from '../kernel/samples.js';
import type { AlarmRecord, TransitionReason } from './alarm-state.js';

/** What createEngine needs. */
export interface EngineOptions {
  clock: Clock;
  /** All transitions one call (or one timer) caused, in order, in one batch: journal them in one transaction. */
  onTransitions(transitions: Transition[]): void;
  /** Command events the engine raises by itself (a shelve that expires); method calls return theirs. */
  onCommand?(event: CommandEvent): void;
  /**
   * A rule's evaluation threw: that rule went UNKNOWN (reason `error`) and the others ran on. Told
   * once when a rule starts failing, again only after it has evaluated cleanly; also told when
   * onTransitions or onCommand threw on a rule's events (those never reach the caller's timers).
   */
  onRuleError?(ruleId: number, err: unknown): void;
}

/**
 * The rule engine. Every method is synchronous; transitions go to onTransitions, one batch per call.
 * A rule that cannot be evaluated costs only itself: no method throws because of one.
 */
export interface Engine {
  /** Replaces all rules. Restored records are taken as they are: nothing standing is re-announced. */
  load(rules: readonly EngineRule[], restored?: readonly AlarmRecord[]): void;
  /**
   * Takes over rules another engine ran (a cluster node taking a PLC over): as load(), but only
   * for these rules, beside the ones it has. Rules it has already are left as they are.
   */
  adopt(rules: readonly EngineRule[], restored?: readonly AlarmRecord[]): void;
  /** Lets rules go to another engine: no transition, no timer left; false for an unknown rule. */
  release(ruleId: number): boolean;
  ingest(samples: readonly Sample[]): void;
  /** Creates or edits a rule and re-evaluates it at once against the last value. */
  upsertRule(rule: EngineRule): void;
  /** False when there is no such rule. */
  removeRule(ruleId: number): boolean;
  ack(ruleId: number, ts: number): AckResult;
  /**
   * Takes a rule out of service (ISA-18.2: a broken instrument): it is no longer evaluated and
   * stands at OK. The transitions it causes come back in the result, not through onTransitions,
   * so the caller journals them after the command's own event.
   */
  outOfService(ruleId: number, by: { user: string; comment: string }): OutOfServiceResult;
  /** Returns a rule to service and evaluates it at once; transitions come back as above. */
  returnToService(ruleId: number, by: { user: string; comment: string | null }): InServiceResult;
  shelve(ruleId: number, untilMs: number): ShelveResult;
  unshelve(ruleId: number): UnshelveResult;
  /** Alarms not OK or not acknowledged, and in service; shelved ones only when asked. */
  active(includeShelved?: boolean): AlarmView[];
  /** Rules out of service. */
  outOfServiceList(): AlarmView[];
  /** Suppressed rules, with the state their own value calls for (ignoring delays). */
  suppressed(): SuppressedView[];
  /** How many rules are shelved, out of service and suppressed now. */
  counts(): { shelved: number; out_of_service: number; suppressed: number };
  get(ruleId: number): AlarmView | undefined;
  /** Whether it runs the rule, without building its view. */
  has(ruleId: number): boolean;
  lastValue(datapointId: number): LastValue | undefined;
  /** Whether a rule's suppress_when watches the datapoint (a cluster feeds it other nodes' values). */
  watches(datapointId: number): boolean;
  stats(): EngineStats;
  /** Clears every timer; the engine keeps its state. */
  stop(): void;
}

/** One active period; `days` are ISO weekdays (1 = Monday), times "HH:MM", `end` may be "24:00". */
export interface ScheduleWindow {
  days: number[];
  start: string;
  end: string;
}

/** When a rule is active, in an IANA time zone. */
export interface Schedule {
  timezone: string;
  windows: ScheduleWindow[];
}

/** A rule as the engine sees it (the `rules` row of SPEC section 3). */
export interface EngineRule {
  id: number;
  datapoint_id: number;
  name: string;
  severity: Severity;
  comparison: Comparison;
  warning_threshold: number | null;
  alarm_threshold: number | null;
  deadband: number;
  on_delay_ms: number;
  off_delay_ms: number;
  schedule: Schedule | null;
  enabled: boolean;
  /** While this holds on a good value of another datapoint, the rule is suppressed (OK, reason `suppressed`). */
  suppress_when: SuppressWhen | null;
  /** Unacknowledged this long after annunciation, the alarm escalates, and again every as long; null: never. */
  escalate_after_s: number | null;
}

/** A designed suppression condition (SPEC 13): a stopped pump's low-flow alarm means nothing. */
export interface SuppressWhen {
  datapoint_id: number;
  comparison: Comparison;
  value: number;
}

/** A change of a rule's state: the data the journal stores as an `alarm_state` event. */
export interface Transition {
  rule_id: number;
  from: AlarmState;
  to: AlarmState;
  reason: TransitionReason;
  value: number | null;
  ts: number;
  /** acked after the transition */
  acked: boolean;
  shelved: boolean;
  /** the alarm's escalation level after the transition (0 until escalated) */
  escalation: number;
  /** the rule as it was when the transition happened */
  rule: EngineRule;
}

export interface AckEvent {
  kind: 'ack';
  rule_id: number;
  ts: number;
}
export interface ShelvedEvent {
  kind: 'shelved';
  rule_id: number;
  until: number;
}
export interface UnshelvedEvent {
  kind: 'unshelved';
  rule_id: number;
  reason: 'expired' | 'manual';
}
/** Raised by the engine: an alarm left unacknowledged `unacked_for_s` reached `level`. */
export interface EscalatedEvent {
  kind: 'escalated';
  rule_id: number;
  level: number;
  unacked_for_s: number;
}
export interface OutOfServiceEvent {
  kind: 'out_of_service';
  rule_id: number;
  user: string;
  comment: string;
  since: number;
}
export interface InServiceEvent {
  kind: 'in_service';
  rule_id: number;
  user: string;
  comment: string | null;
}
/** The journaled outcome of a command (alarm_ack, alarm_shelved, alarm_unshelved, ...) or of an escalation. */
export type CommandEvent = AckEvent | ShelvedEvent | UnshelvedEvent | EscalatedEvent | OutOfServiceEvent | InServiceEvent;

export interface NotFound {
  kind: 'not_found';
  rule_id: number;
}
export interface NothingToAck {
  kind: 'nothing_to_ack';
  rule_id: number;
}
export interface NotShelved {
  kind: 'not_shelved';
  rule_id: number;
}

export type AckResult = AckEvent | NothingToAck | NotFound;
export type ShelveResult = ShelvedEvent | NotFound;
export type UnshelveResult = UnshelvedEvent | NotShelved | NotFound;
/** Already out of (or in) service: nothing changed, nothing to journal. */
export interface Unchanged {
  kind: 'unchanged';
  rule_id: number;
}
export type OutOfServiceResult = (OutOfServiceEvent & { transitions: Transition[] }) | Unchanged | NotFound;
export type InServiceResult = (InServiceEvent & { transitions: Transition[] }) | Unchanged | NotFound;

/** A suppressed rule and the state its own condition calls for. */
export interface SuppressedView {
  alarm: AlarmView;
  would_be: AlarmState;
}

/** A rule's alarm record together with the rule, for lists and look-ups. */
export interface AlarmView extends AlarmRecord {
  rule: EngineRule;
}

/** The datapoint's latest sample, as received. */
export interface LastValue {
  value: number | null;
  quality: Quality;
  ts: number;
}

export interface EngineStats {
  /** rule evaluations since the engine was created */
  evaluations: number;
  rules: number;
  datapoints: number;
  /** rules with a timer armed (delay, schedule edge or shelve expiry) */
  timers: number;
}
