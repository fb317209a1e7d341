import * as v from 'valibot';
import { name, timeZone } from '../kernel/fields.js';
import { IsoWeekday, TimeOfDay } from '../kernel/time.js';

/** Live (not deleted) items one user may hold; more is a 409 (SPEC 8 leaves the number to us). */
export const MAX_LIVE_ITEMS = 1000;
/** The longest timer: 31 days. */
export const MAX_TIMER_S = 31 * 86_400;

const days = v.pipe(
  v.array(IsoWeekday),
  v.minLength(1, 'must name at least one ISO weekday (1 = Monday .. 7 = Sunday)'),
  v.maxLength(7),
  v.check((d) => new Set(d).size === d.length, 'must not repeat a weekday'),
);

/** ISO 8601 with a zone; stored in one canonical form (UTC, milliseconds) so versions compare as text. */
const instant = v.pipe(
  v.string(),
  v.isoTimestamp('must be an ISO 8601 timestamp with a time zone, e.g. "2026-03-02T08:00:00.000Z"'),
  v.check((s) => Number.isFinite(Date.parse(s)), 'must be a real date'),
  v.transform((s) => new Date(s).toISOString()),
);

/** A daily-pattern alarm: `time` on each of `days`, wall clock in `timezone`. */
export const AlarmSpec = v.strictObject({ time: TimeOfDay, days, timezone: timeZone });

/** A countdown: running while `started_at` is set, due at `started_at + duration_s`. */
export const TimerSpec = v.strictObject({
  duration_s: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TIMER_S, `at most 31 days (${MAX_TIMER_S} s)`)),
  started_at: v.nullable(instant),
});

const common = {
  label: name(200),
  enabled: v.optional(v.boolean(), true),
};

/** Body of `PUT /api/items/{id}`: the item without id, version, updated_at and deleted. */
const AlarmItem = v.strictObject({ kind: v.literal('alarm'), ...common, alarm: AlarmSpec });
const TimerItem = v.strictObject({ kind: v.literal('timer'), ...common, timer: TimerSpec });
export const ItemBody = v.variant('kind', [AlarmItem, TimerItem]);

export type ItemInput = v.InferOutput<typeof ItemBody>;
export type AlarmSchedule = v.InferOutput<typeof AlarmSpec>;
export type TimerState = v.InferOutput<typeof TimerSpec>;

const stored = { id: v.string(), version: v.number(), updated_at: v.string(), deleted: v.boolean() };

/** An item as clients see it (SPEC 8); a tombstone keeps its last content with `deleted: true`. */
export const Item = v.variant('kind', [
  v.strictObject({ ...AlarmItem.entries, ...stored }),
  v.strictObject({ ...TimerItem.entries, ...stored }),
]);
export type Item = v.InferOutput<typeof Item>;

/** `GET /api/items?since=`: the change feed, and the `since` of the next call. */
export const ItemChanges = v.strictObject({ changes: v.array(Item), cursor: v.number() });

/** Items are keyed by a client-chosen UUID, compared in lower case. */
export const ItemId = v.pipe(
  v.string(),
  v.uuid('must be a UUID'),
  v.transform((s) => s.toLowerCase()),
);

/** `If-Match: <version>`, the bare number (a quoted ETag form `"3"` is accepted too). */
export const IfMatch = v.optional(
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^("?)(0|[1-9]\d{0,14})\1$/, 'must be the item version, a whole number such as 3'),
    v.transform((s) => Number(s.replaceAll('"', ''))),
  ),
);

/** Query of `GET /api/items`: without `since` the live list, with it the change feed. */
export const ItemsQuery = v.strictObject({
  since: v.optional(
    v.pipe(v.string(), v.regex(/^(0|[1-9]\d{0,14})$/, 'must be a cursor from an earlier answer, or 0'), v.transform(Number)),
  ),
});

/** The fields that decide when an item comes due; an edit that keeps them keeps its due time. */
export function dueKey(item: ItemInput): string {
  return JSON.stringify([item.kind, item.enabled, item.kind === 'alarm' ? item.alarm : item.timer]);
}
