import * as v from 'valibot';
import type { ErrorDetail } from '../kernel/errors.js';
import { AREAS, isBitArea, registerCount, VALUE_TYPES, WORD_ORDERS } from '../kernel/enums.js';
import { finite, int, name, storedFields, text } from '../kernel/fields.js';
import { LiveValueView } from './live-state.js';

const fields = {
  plc_id: int(1, Number.MAX_SAFE_INTEGER),
  label: name(100),
  description: text(500),
  area: v.picklist(AREAS),
  address: int(0, 65_535),
  type: v.picklist(VALUE_TYPES),
  word_order: v.picklist(WORD_ORDERS),
  scale: v.pipe(
    finite,
    v.check((n) => n !== 0, 'must not be zero'),
  ),
  offset: finite,
  unit: text(20),
};

/** Body of `POST /api/datapoints`, with SPEC 3 defaults. */
export const DatapointCreate = v.strictObject({
  plc_id: fields.plc_id,
  label: fields.label,
  description: v.optional(fields.description, ''),
  area: fields.area,
  address: fields.address,
  type: fields.type,
  word_order: v.optional(fields.word_order, 'big'),
  scale: v.optional(fields.scale, 1),
  offset: v.optional(fields.offset, 0),
  unit: v.optional(fields.unit, ''),
});

/** Body of `PATCH /api/datapoints/{id}`. */
export const DatapointPatch = v.partial(v.strictObject(fields));

export type DatapointInput = v.InferOutput<typeof DatapointCreate>;
export type DatapointPatchInput = v.InferOutput<typeof DatapointPatch>;

/** A datapoint as stored. */
export const Datapoint = v.strictObject({ id: v.number(), ...storedFields(DatapointCreate.entries) });
export type Datapoint = v.InferOutput<typeof Datapoint>;

/** A datapoint as reads return it: with its latest value, `live`. */
export const DatapointView = v.strictObject({ ...Datapoint.entries, live: LiveValueView });

/** Checks that need more than one field; run on the merged row for a PATCH too. */
export function datapointProblems(d: DatapointInput): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const bitArea = isBitArea(d.area);
  if (bitArea && d.type !== 'bool') {
    problems.push({ path: 'type', message: `a ${d.area} holds one bit: type must be "bool"` });
  }
  if (!bitArea && d.address + registerCount(d.type) - 1 > 65_535) {
    problems.push({ path: 'address', message: `a ${d.type} at ${d.address} runs past register 65535` });
  }
  return problems;
}
