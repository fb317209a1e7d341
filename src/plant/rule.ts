import * as v from 'valibot';
import type { ErrorDetail } from '../kernel/errors.js';
import { COMPARISONS, SEVERITIES } from '../kernel/enums.js';
import { finite, int, name, storedFields, timeZone } from '../kernel/fields.js';
import { EndTimeOfDay, IsoWeekday, TimeOfDay } from '../kernel/time.js';

const ScheduleWindow = v.pipe(
  v.strictObject({
    days: v.pipe(v.array(IsoWeekday), v.minLength(1), v.maxLength(7)),
    start: TimeOfDay,
    end: EndTimeOfDay,
  }),
  v.check((w) => w.start !== w.end, 'start and end must differ (use 00:00 to 24:00 for a whole day)'),
);

export const Schedule = v.strictObject({
  timezone: timeZone,
  windows: v.pipe(v.array(ScheduleWindow), v.minLength(1), v.maxLength(50)),
});

const comparison = v.picklist(COMPARISONS);

/** Suppression by design (SPEC 13): while this holds on a good value of another datapoint. */
export const SuppressWhen = v.strictObject({
  datapoint_id: int(1, Number.MAX_SAFE_INTEGER),
  comparison,
  value: finite,
});

const fields = {
  datapoint_id: int(1, Number.MAX_SAFE_INTEGER),
  name: name(200),
  severity: v.picklist(SEVERITIES),
  comparison,
  warning_threshold: v.nullable(finite),
  alarm_threshold: v.nullable(finite),
  deadband: v.pipe(finite, v.minValue(0)),
  on_delay_ms: int(0, 86_400_000),
  off_delay_ms: int(0, 86_400_000),
  schedule: v.nullable(Schedule),
  enabled: v.boolean(),
  suppress_when: v.nullable(SuppressWhen),
  // under 10 s an operator cannot even read the alarm before it escalates; over a week it never matters
  escalate_after_s: v.nullable(int(10, 604_800)),
};

/** Body of `POST /api/rules`, with SPEC 3 defaults. */
export const RuleCreate = v.strictObject({
  datapoint_id: fields.datapoint_id,
  name: fields.name,
  severity: v.optional(fields.severity, 'medium'),
  comparison: fields.comparison,
  warning_threshold: v.optional(fields.warning_threshold, null),
  alarm_threshold: v.optional(fields.alarm_threshold, null),
  deadband: v.optional(fields.deadband, 0),
  on_delay_ms: v.optional(fields.on_delay_ms, 0),
  off_delay_ms: v.optional(fields.off_delay_ms, 0),
  schedule: v.optional(fields.schedule, null),
  enabled: v.optional(fields.enabled, true),
  suppress_when: v.optional(fields.suppress_when, null),
  escalate_after_s: v.optional(fields.escalate_after_s, null),
});

/** Body of `PATCH /api/rules/{id}`. */
export const RulePatch = v.partial(v.strictObject(fields));

export type RuleInput = v.InferOutput<typeof RuleCreate>;
export type RulePatchInput = v.InferOutput<typeof RulePatch>;
export type RuleSchedule = v.InferOutput<typeof Schedule>;
export type SuppressWhen = v.InferOutput<typeof SuppressWhen>;

/** A rule as stored and returned. */
export const Rule = v.strictObject({ id: v.number(), ...storedFields(RuleCreate.entries) });
export type Rule = v.InferOutput<typeof Rule>;

/** Checks that need more than one field; run on the merged row for a PATCH too. */
export function ruleProblems(r: RuleInput): ErrorDetail[] {
  const { warning_threshold: warning, alarm_threshold: alarm } = r;
  if (warning === null && alarm === null) {
    return [{ path: 'alarm_threshold', message: 'set alarm_threshold, warning_threshold or both' }];
  }
  if (r.suppress_when !== null && r.suppress_when.datapoint_id === r.datapoint_id) {
    return [{ path: 'suppress_when.datapoint_id', message: 'a rule cannot be suppressed by its own datapoint' }];
  }
  if (warning === null || alarm === null) return [];
  // A warning that can only be reached after the alarm would never be seen.
  if (r.comparison === 'above' && warning > alarm) {
    return [{ path: 'warning_threshold', message: 'for "above", warning_threshold must not exceed alarm_threshold' }];
  }
  if (r.comparison === 'below' && warning < alarm) {
    return [{ path: 'warning_threshold', message: 'for "below", warning_threshold must not be under alarm_threshold' }];
  }
  return [];
}
