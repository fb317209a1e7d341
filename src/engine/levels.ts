/** The level a value calls for under a rule's comparison, thresholds and deadband. Pure. */
import type { Comparison } from '../kernel/enums.js';

/** 0 = OK, 1 = WARNING, 2 = ALARM: ordered so "higher" means more severe. */
export type Level = 0 | 1 | 2;

/** The part of a rule that decides levels (an EngineRule has it). */
export interface LevelRule {
  comparison: Comparison;
  warning_threshold: number | null;
  alarm_threshold: number | null;
  deadband: number;
}

/**
 * The level `value` calls for while the rule stands at `current` (-1: no level, e.g. UNKNOWN).
 * Entering a level uses the plain threshold; staying in it only needs the value within the deadband.
 * For above/below the levels nest (a value past the alarm threshold is past the warning one too), so
 * in ALARM the deadband also covers the warning threshold: above 50/80 with deadband 5 leaves ALARM
 * below 75, into WARNING down to 45, and only below 45 into OK. equal/not_equal do not nest, so only
 * the current level's threshold gets the deadband.
 */
export function levelFor(rule: LevelRule, value: number, current: Level | -1): Level {
  const nested = rule.comparison === 'above' || rule.comparison === 'below';
  if (holds(rule, rule.alarm_threshold, value, current === 2)) return 2;
  if (holds(rule, rule.warning_threshold, value, nested ? current >= 1 : current === 1)) return 1;
  return 0;
}

/** Whether a level's condition holds; a null threshold means the level does not exist. */
function holds(rule: LevelRule, threshold: number | null, value: number, staying: boolean): boolean {
  if (threshold === null) return false;
  const band = staying ? rule.deadband : 0;
  switch (rule.comparison) {
    case 'above':
      return value >= threshold - band;
    case 'below':
      return value <= threshold + band;
    case 'equal':
      return band === 0 ? value === threshold : Math.abs(value - threshold) <= band;
    case 'not_equal':
      // {v != t} cannot be widened by a band: leaving needs the value back at the threshold
      return value !== threshold;
  }
}
