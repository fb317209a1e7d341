import * as v from 'valibot';
import { canonicalTimeZone } from '../engine/zone-offset.js';

/** Field schemas shared by the plant resources. */
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
