/** An alarm listed active for longer than this is stale (SPEC 13). */
export const STALE_AFTER_MS = 24 * 3_600_000;

/** What the KPIs need of an active alarm (SPEC 4's active list). */
export interface ActiveAlarm {
  rule_id: number;
  rule_name: string;
  since: string | null;
}

export interface StaleAlarm {
  rule_id: number;
  rule_name: string;
  since: string;
}

/** The active alarms whose state has not changed for over 24 h at `now`, oldest first. */
export function staleAlarms(active: readonly ActiveAlarm[], now: number): StaleAlarm[] {
  const stale: { alarm: StaleAlarm; at: number }[] = [];
  for (const a of active) {
    const at = a.since === null ? NaN : Date.parse(a.since);
    if (at < now - STALE_AFTER_MS) stale.push({ alarm: { rule_id: a.rule_id, rule_name: a.rule_name, since: a.since! }, at });
  }
  return stale.sort((a, b) => a.at - b.at || a.alarm.rule_id - b.alarm.rule_id).map((s) => s.alarm);
}
