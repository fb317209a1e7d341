import type { Severity } from '../kernel/enums.js';
import { ackDelays, percentile } from './ack-times.js';
import { chatters } from './chattering.js';
import { KPI_ACK, severityOfKind, type KpiKind } from './kpi-kind.js';
import type { KpiPeriod } from './kpi-period.js';
import { round } from './round.js';
import { countWindows, emptyWindows, windowFigures } from './windows.js';

/** Times in ms since the epoch, ascending. */
export type Times = ArrayLike<number>;

/** One rule's KPI events of the period, as the journal holds them: its acks, or its annunciations at one severity. */
export interface KpiTimeline {
  rule_id: number;
  kind: KpiKind;
  times: Times;
}

export interface RuleCount {
  rule_id: number;
  count: number;
}

/** How many of the most frequent rules the KPIs list (SPEC 13). */
export const TOP_RULES = 10;

/** The KPIs the journal answers (SPEC 13), rules by id; names and the current counts are added by the report. */
export interface KpiFigures {
  annunciated: number;
  per_hour: number;
  peak_10min: number;
  flood_percent: number;
  by_severity: Record<Severity, number>;
  top: RuleCount[];
  chattering: RuleCount[];
  ack_time_s: { p50: number | null; p90: number | null };
}

/** The KPIs of a period from its rules' timelines. */
export function kpiFigures(timelines: readonly KpiTimeline[], period: KpiPeriod): KpiFigures {
  const bySeverity: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const rules = new Map<number, { annunciations: Times[]; acks: Times }>();
  const windows = emptyWindows(period.from, period.to);
  let annunciated = 0;
  for (const line of timelines) {
    let rule = rules.get(line.rule_id);
    if (!rule) rules.set(line.rule_id, (rule = { annunciations: [], acks: [] }));
    if (line.kind === KPI_ACK) {
      rule.acks = line.times;
      continue;
    }
    rule.annunciations.push(line.times);
    annunciated += line.times.length;
    bySeverity[severityOfKind(line.kind)] += line.times.length;
    countWindows(line.times, windows);
  }

  const counts: RuleCount[] = [];
  const chattering: RuleCount[] = [];
  const delays: number[] = [];
  for (const [rule_id, rule] of rules) {
    const times = annunciationsOf(rule.annunciations);
    if (times.length === 0) continue;
    const count = { rule_id, count: times.length };
    counts.push(count);
    if (chatters(times)) chattering.push(count);
    ackDelays(times, rule.acks, delays);
  }
  const sortedDelays = Float64Array.from(delays).sort();
  const seconds = (ms: number | null) => (ms === null ? null : round(ms / 1000, 3));

  return {
    annunciated,
    per_hour: round(annunciated / ((period.to - period.from) / 3_600_000), 2),
    ...windowFigures(windows),
    by_severity: bySeverity,
    top: counts.sort(mostFirst).slice(0, TOP_RULES),
    chattering: chattering.sort(mostFirst),
    ack_time_s: { p50: seconds(percentile(sortedDelays, 50)), p90: seconds(percentile(sortedDelays, 90)) },
  };
}

/** A rule's annunciations in one list: usually one severity's; merged when its severity changed in the period. */
function annunciationsOf(lists: readonly Times[]): Times {
  if (lists.length === 1) return lists[0]!;
  const merged = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const list of lists) for (let i = 0; i < list.length; i++) merged[at++] = list[i]!;
  return merged.sort();
}

const mostFirst = (a: RuleCount, b: RuleCount) => b.count - a.count || a.rule_id - b.rule_id;
