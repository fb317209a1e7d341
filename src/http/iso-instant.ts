import * as v from 'valibot';

// Date-times need a `T`; fractions have 1-3 digits and offsets a colon: what every runtime's
// Date.parse reads alike (JavaScriptCore refuses some forms V8 takes).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;

const MESSAGE = 'must be an ISO 8601 time such as 2026-01-31T08:00:00Z';

/** The form above, on a real day of the calendar: V8 reads 2026-02-30 as March 2nd rather than refuse it. */
function isIsoDate(s: string): boolean {
  const match = ISO_8601.exec(s);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * An instant in ISO 8601 (`2026-01-31`, `2026-01-31T08:00Z`, `2026-01-31T08:00:00.000+01:00`), as
 * ms since the epoch. A time without an offset is UTC, as a date alone is, never the server's zone.
 */
export const IsoInstant = v.pipe(
  v.string(),
  v.check(isIsoDate, MESSAGE),
  v.transform((s) => Date.parse(s.includes('T') && !HAS_OFFSET.test(s) ? `${s}Z` : s)),
);
