/** How many rules are shelved, out of service and suppressed now (SPEC 13). */
export interface RuleCounts {
  shelved: number;
  out_of_service: number;
  suppressed: number;
}

/** Where the KPIs get the counts of rules so now: the alarm service (`counts()`), wired in src/app.ts. */
export type CountRules = () => Promise<RuleCounts>;
