import * as v from 'valibot';
import type { SameType, Simplify } from '../kernel/same-type.js';
import type { Db } from '../db/database.js';
import { kpiFigures, type KpiFigures, type KpiTimeline, type RuleCount } from './kpi-figures.js';
import { KPI_ACK } from './kpi-kind.js';
import { readTimelines, readWindowCounts, ruleNamesAt } from './kpi-journal.js';
import type { KpiPeriod } from './kpi-period.js';
import type { CountRules, RuleCounts } from './rule-counts.js';
import { staleAlarms, type ActiveAlarm, type StaleAlarm } from './stale.js';
import { windowSeries } from './windows.js';

/** What the KPIs are computed from: the journal, the active list, the counts of rules so now. */
export interface KpiSources {
  db: Db;
  now(): number;
  /** The active list as operators see it (SPEC 4), for the stale alarms. */
  activeAlarms(): Promise<readonly ActiveAlarm[]>;
  countRules: CountRules;
}

export interface NamedRuleCount extends RuleCount {
  rule_name: string;
}

/** `GET /api/alarms/kpis` (SPEC 13), fields in the SPEC's order. */
export type Kpis = { from: string; to: string } & Omit<KpiFigures, 'top' | 'chattering' | 'ack_time_s'> & {
    top: NamedRuleCount[];
    chattering: NamedRuleCount[];
    stale: StaleAlarm[];
    ack_time_s: KpiFigures['ack_time_s'];
  } & RuleCounts;

const count = v.number();
const ruleCount = v.strictObject({ rule_id: v.number(), rule_name: v.string(), count });

/** The shape of `Kpis`, for the API reference (the compiler holds the two together). */
export const KpisBody = v.strictObject({
  from: v.string(),
  to: v.string(),
  annunciated: count,
  per_hour: v.number(),
  peak_10min: count,
  flood_percent: v.number(),
  by_severity: v.strictObject({ low: count, medium: count, high: count, critical: count }),
  top: v.array(ruleCount),
  chattering: v.array(ruleCount),
  stale: v.array(v.strictObject({ rule_id: v.number(), rule_name: v.string(), since: v.string() })),
  ack_time_s: v.strictObject({ p50: v.nullable(v.number()), p90: v.nullable(v.number()) }),
  shelved: count,
  out_of_service: count,
  suppressed: count,
});
true satisfies SameType<v.InferOutput<typeof KpisBody>, Simplify<Kpis>>;

/** `GET /api/alarms/kpis/windows`. */
export const KpiWindowsBody = v.strictObject({ windows: v.array(v.strictObject({ t: v.string(), annunciated: count })) });

const iso = (ms: number) => new Date(ms).toISOString();

/** The KPIs of a period, and the per-window series the KPI page charts. */
export function createKpiReport(sources: KpiSources) {
  const { db } = sources;
  return {
    now: () => sources.now(),

    async kpis(period: KpiPeriod): Promise<Kpis> {
      const [timelines, active, counts] = await Promise.all([readTimelines(db, period), sources.activeAlarms(), sources.countRules()]);
      const f = kpiFigures(timelines, period);
      const listed = new Set([...f.top, ...f.chattering].map((r) => r.rule_id));
      const names = await ruleNamesAt(db, newestAnnunciations(timelines, listed));
      const named = (r: RuleCount): NamedRuleCount => ({ rule_id: r.rule_id, rule_name: names.get(r.rule_id) ?? '', count: r.count });
      return {
        from: iso(period.from),
        to: iso(period.to),
        annunciated: f.annunciated,
        per_hour: f.per_hour,
        peak_10min: f.peak_10min,
        flood_percent: f.flood_percent,
        by_severity: f.by_severity,
        top: f.top.map(named),
        chattering: f.chattering.map(named),
        stale: staleAlarms(active, sources.now()),
        ack_time_s: f.ack_time_s,
        shelved: counts.shelved,
        out_of_service: counts.out_of_service,
        suppressed: counts.suppressed,
      };
    },

    /** Every 10-minute window of the period with its annunciations (an addition beyond SPEC 13, for charts). */
    async windows(period: KpiPeriod): Promise<v.InferOutput<typeof KpiWindowsBody>> {
      return { windows: windowSeries(await readWindowCounts(db, period)) };
    },
  };
}

export type KpiReport = ReturnType<typeof createKpiReport>;

/** The time of each listed rule's newest annunciation, where the journal has its name. */
function newestAnnunciations(timelines: readonly KpiTimeline[], listed: ReadonlySet<number>): { rule_id: number; at: number }[] {
  const newest = new Map<number, number>();
  for (const line of timelines) {
    if (line.kind === KPI_ACK || !listed.has(line.rule_id) || line.times.length === 0) continue;
    newest.set(line.rule_id, Math.max(newest.get(line.rule_id) ?? -Infinity, line.times[line.times.length - 1]!));
  }
  return [...newest].map(([rule_id, at]) => ({ rule_id, at }));
}
