/** Suppression by design (SPEC 13): a condition on another datapoint that makes a rule meaningless. Pure. */
import type { PointState } from './rule-slot.js';
import type { SuppressWhen } from './types.js';

/** Whether the condition holds on this value; a bad or missing value never suppresses. */
export function suppressionHolds(when: SuppressWhen, good: boolean, value: number): boolean {
  if (!good) return false;
  switch (when.comparison) {
    case 'above':
      return value >= when.value;
    case 'below':
      return value <= when.value;
    case 'equal':
      return value === when.value;
    case 'not_equal':
      return value !== when.value;
  }
}

/** The condition on the suppressing datapoint's latest sample. */
export const suppressedBy = (when: SuppressWhen, point: PointState): boolean =>
  point.seen && suppressionHolds(when, point.good, point.value);
