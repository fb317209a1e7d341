/** Field schemas shared by every boundary: request bodies, queries, path parameters. */
import * as v from 'valibot';
import { canonicalTimeZone } from './time.js';

/** A whole number from `min` to `max`. */
export const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

export const finite = v.pipe(v.number(), v.finite());

// Control characters in a name break logs, CSV exports and terminals; reject them at the door.
const noControlChars = v.regex(/^[^\u0000-\u001f\u007f]*$/u, 'must not contain control characters');

/** A short human-entered name: trimmed, non-empty, printable. */
export const name = (max = 100) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max), noControlChars);

/** Free text that may be empty. */
export const text = (max: number) => v.pipe(v.string(), v.maxLength(max), noControlChars);

/** An id in a path segment such as `/api/plcs/{id}`. */
export const IdParam = v.pipe(v.string(), v.regex(/^[1-9]\d{0,15}$/, 'must be a positive integer id'), v.transform(Number));

/** A `?cascade=1`-style flag in a query string. */
export const QueryFlag = v.optional(
  v.pipe(
    v.picklist(['0', '1', 'true', 'false'], 'must be 0 or 1'),
    v.transform((s) => s === '1' || s === 'true'),
  ),
  '0',
);

/**
 * An IANA time zone in any letter case, stored and returned in its canonical spelling
 * (`europe/berlin` -> `Europe/Berlin`, SPEC 10), so equal zones compare equal as text.
 */
export const timeZone = v.pipe(
  v.string(),
  v.maxLength(100),
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const zone = canonicalTimeZone(dataset.value);
    if (zone !== undefined) return zone;
    addIssue({ message: 'must be an IANA time zone such as "Europe/Berlin"' });
    return NEVER;
  }),
);

type Stored<E extends v.ObjectEntries> = {
  [K in keyof E]: E[K] extends v.OptionalSchema<infer W, infer _D> ? W : E[K];
};

/**
 * A create schema's fields as a stored row has them: each optional field's own schema, since a
 * default has filled it. For the schemas of what reads return (the API reference documents them).
 */
export function storedFields<E extends v.ObjectEntries>(entries: E): Stored<E> {
  const unwrap = (s: v.ObjectEntries[string]) => (s.type === 'optional' ? (s as v.OptionalSchema<v.GenericSchema, unknown>).wrapped : s);
  return Object.fromEntries(Object.entries(entries).map(([key, schema]) => [key, unwrap(schema)])) as Stored<E>;
}

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
