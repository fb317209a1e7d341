import * as v from 'valibot';
import type { NewEvent } from '../journal/events.js';
import type { SameType } from '../kernel/same-type.js';
import type { AlarmView, CommandEvent, Transition } from '../engine/index.js';
import { ALARM_STATES, SEVERITIES, type AlarmState } from '../kernel/enums.js';

/** What events and lists say about a rule's datapoint. */
export interface PointInfo {
  label: string;
  description: string;
  plc_id: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An `alarm_state` event (SPEC 5) for one transition. */
export function alarmStateEvent(t: Transition, point: PointInfo | undefined): NewEvent {
  return {
    topic: 'alarms',
    type: 'alarm_state',
    rule_id: t.rule_id,
    payload: {
      rule_id: t.rule_id,
      rule_name: t.rule.name,
      datapoint_id: t.rule.datapoint_id,
      datapoint_label: point?.label ?? null,
      plc_id: point?.plc_id ?? null,
      state: t.to,
      previous_state: t.from,
      severity: t.rule.severity,
      comparison: t.rule.comparison,
      value: t.value,
      warning_threshold: t.rule.warning_threshold,
      alarm_threshold: t.rule.alarm_threshold,
      acked: t.acked,
      shelved: t.shelved,
      reason: t.reason,
      escalation: t.escalation,
      since: iso(t.ts),
      message: `Rule ${t.rule.name} -> ${t.to}`,
    },
  };
}

/** The event of a command (`alarm_ack`, `alarm_shelved`, ...) or of an escalation; `user` null when the server acted. */
export function commandEvent(c: CommandEvent, user: string | null, comment: string | null): NewEvent {
  const base = { rule_id: c.rule_id, user, comment };
  const event = (type: string, payload: Record<string, unknown>): NewEvent => ({ topic: 'alarms', type, rule_id: c.rule_id, payload });
  switch (c.kind) {
    case 'ack':
      return event('alarm_ack', base);
    case 'shelved':
      return event('alarm_shelved', { ...base, shelved_until: iso(c.until) });
    case 'unshelved':
      return event('alarm_unshelved', { ...base, reason: c.reason });
    case 'escalated':
      return event('alarm_escalated', { rule_id: c.rule_id, level: c.level, unacked_for_s: c.unacked_for_s });
    case 'out_of_service':
      return event('alarm_out_of_service', { rule_id: c.rule_id, user: c.user, comment: c.comment });
    case 'in_service':
      return event('alarm_in_service', { rule_id: c.rule_id, user: c.user, comment: c.comment });
  }
}

/** An alarm as `GET /api/alarms/active` and snapshots list it (SPEC 4). */
export function alarmBody(a: AlarmView, point: PointInfo | undefined) {
  return {
    rule_id: a.rule_id,
    rule_name: a.rule.name,
    datapoint_id: a.rule.datapoint_id,
    datapoint_label: point?.label ?? null,
    datapoint_description: point?.description ?? null,
    plc_id: point?.plc_id ?? null,
    state: a.state,
    severity: a.rule.severity,
    value: a.value,
    since: iso(a.since),
    acked: a.acked,
    shelved_until: iso(a.shelved_until),
    escalation: a.escalation,
  };
}

const nullableString = v.nullable(v.string());
const nullableId = v.nullable(v.number());

/** The shape of `alarmBody`, for the API reference (the compiler holds the two together below). */
export const AlarmBody = v.strictObject({
  rule_id: v.number(),
  rule_name: v.string(),
  datapoint_id: v.number(),
  datapoint_label: nullableString,
  datapoint_description: nullableString,
  plc_id: nullableId,
  state: v.picklist(ALARM_STATES),
  severity: v.picklist(SEVERITIES),
  value: v.nullable(v.number()),
  since: nullableString,
  acked: v.boolean(),
  shelved_until: nullableString,
  /** 0 until escalated, then the level reached (SPEC 13). */
  escalation: v.number(),
});
export type AlarmBody = ReturnType<typeof alarmBody>;
true satisfies SameType<AlarmBody, v.InferOutput<typeof AlarmBody>>;

/** A rule suppressed by design, with the state its own condition calls for (SPEC 13); a cluster's nodes share these. */
export const SuppressedRule = v.strictObject({ rule_id: v.number(), rule_name: v.string(), would_be: v.string() });
export type SuppressedRule = v.InferOutput<typeof SuppressedRule>;

/** A rule out of service, as `GET /api/alarms/out-of-service` lists it (SPEC 13). */
export const OutOfServiceBody = v.strictObject({
  rule_id: v.number(),
  rule_name: v.string(),
  user: v.string(),
  comment: v.string(),
  since: nullableString,
});

export function outOfServiceBody(a: AlarmView): v.InferOutput<typeof OutOfServiceBody> {
  const oos = a.out_of_service!;
  return { rule_id: a.rule_id, rule_name: a.rule.name, user: oos.user, comment: oos.comment, since: iso(oos.since) };
}

const STATE_RANK: Record<AlarmState, number> = { ALARM: 0, UNKNOWN: 1, WARNING: 2, OK: 3 };
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/** Operators read the worst first: state, then severity, then the newest. */
export function byUrgency(a: AlarmView, b: AlarmView): number {
  return STATE_RANK[a.state] - STATE_RANK[b.state] || SEVERITY_RANK[a.rule.severity] - SEVERITY_RANK[b.rule.severity] || b.since - a.since;
}
