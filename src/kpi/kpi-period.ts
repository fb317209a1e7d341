import { AppError, type ErrorDetail } from '../kernel/errors.js';

/** With no `from`, a period of this length ending at `to` (SPEC 13: the last 24 h). */
export const DEFAULT_PERIOD_MS = 24 * 3_600_000;
/** A year, leap or not: the longest period one request may ask for. */
export const MAX_PERIOD_MS = 366 * 24 * 3_600_000;

/** The period [from, to) the KPIs cover, in ms. */
export interface KpiPeriod {
  from: number;
  to: number;
}

/** Fills in the defaults (to: now; from: 24 h before to) and checks the period: 400 otherwise. */
export function kpiPeriod(asked: { from?: number | undefined; to?: number | undefined }, now: number): KpiPeriod {
  const to = asked.to ?? now;
  const from = asked.from ?? to - DEFAULT_PERIOD_MS;
  const details: ErrorDetail[] = [];
  if (from >= to) details.push({ path: 'to', message: 'must be after from' });
  else if (to - from > MAX_PERIOD_MS) details.push({ path: 'from', message: 'the period must be at most 366 days' });
  if (details.length > 0) throw new AppError('invalid_request', 'Invalid query', details);
  return { from, to };
}
