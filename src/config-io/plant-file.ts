import * as v from 'valibot';
import { AppError } from '../kernel/errors.js';
import { MqttNotifierInput, WebhookNotifierInput } from '../notify/notifier.js';
import { DatapointCreate } from '../plant/datapoint.js';
import { PlcCreate } from '../plant/plc.js';
import { RuleCreate, SuppressWhen } from '../plant/rule.js';

/**
 * The plant file (README, "Config as files"): PLCs with their datapoints, rules and notifiers,
 * each field checked by the schema its REST body has. Things are named, never numbered: a rule
 * names its datapoint "<plc name>/<label>". A section left out of the file is left alone.
 */

/** "<plc name>/<label>" (src/config-io/point-refs.ts). */
const PointRef = v.pipe(v.string(), v.maxLength(302), v.includes('/', 'must name a datapoint as "<plc name>/<label>"'));

export const DatapointEntry = v.omit(DatapointCreate, ['plc_id']);

export const PlcEntry = v.strictObject({
  ...PlcCreate.entries,
  /** Left out: the PLC's datapoints are left as they are. */
  datapoints: v.optional(v.array(DatapointEntry)),
});

const SuppressWhenEntry = v.strictObject({
  datapoint: PointRef,
  comparison: SuppressWhen.entries.comparison,
  value: SuppressWhen.entries.value,
});

export const RuleEntry = v.strictObject({
  ...v.omit(RuleCreate, ['datapoint_id', 'suppress_when']).entries,
  datapoint: PointRef,
  suppress_when: v.optional(v.nullable(SuppressWhenEntry), null),
});

/** A notifier as a file holds it: exports leave the webhook secret out, so it may be missing. */
export const NotifierEntry = v.variant('kind', [
  v.strictObject({ ...WebhookNotifierInput.entries, secret: v.optional(WebhookNotifierInput.entries.secret) }),
  MqttNotifierInput,
]);

export const PlantFile = v.strictObject({
  version: v.literal(1, 'must be 1'),
  plcs: v.optional(v.array(PlcEntry)),
  rules: v.optional(v.array(RuleEntry)),
  notifiers: v.optional(v.array(NotifierEntry)),
});

export type DatapointEntry = v.InferOutput<typeof DatapointEntry>;
export type PlcEntry = v.InferOutput<typeof PlcEntry>;
export type RuleEntry = v.InferOutput<typeof RuleEntry>;
export type NotifierEntry = v.InferOutput<typeof NotifierEntry>;
export type PlantFile = v.InferOutput<typeof PlantFile>;

/** Parses a plant file, or throws a 400 listing every problem with its path (`rules.3.severity`). */
export function parsePlantFile(input: unknown): PlantFile {
  const result = v.safeParse(PlantFile, input);
  if (result.success) return result.output;
  const details = result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }));
  throw new AppError('invalid_request', 'Invalid plant file', details);
}
