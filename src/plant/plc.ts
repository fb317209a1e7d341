import * as v from 'valibot';
import { int, name, storedFields } from '../kernel/fields.js';
import { PlcStatusView } from './live-state.js';

// A host name or an IPv4/IPv6 literal; anything else cannot be a Modbus TCP peer.
const host = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1),
  v.maxLength(253),
  v.regex(/^[A-Za-z0-9.:\-[\]%_]+$/, 'must be a host name or an IP address'),
);

const fields = {
  name: name(100),
  host,
  port: int(1, 65_535),
  unit_id: int(0, 255),
  poll_interval_ms: int(50, 3_600_000),
  timeout_ms: int(50, 60_000),
  /** Requests outstanding at once on the connection; more than 1 only for devices that queue them. */
  max_in_flight: int(1, 16),
  enabled: v.boolean(),
};

/** Body of `POST /api/plcs`, with SPEC 3 defaults. */
export const PlcCreate = v.strictObject({
  name: fields.name,
  host: fields.host,
  port: v.optional(fields.port, 502),
  unit_id: v.optional(fields.unit_id, 1),
  poll_interval_ms: v.optional(fields.poll_interval_ms, 1000),
  timeout_ms: v.optional(fields.timeout_ms, 1000),
  max_in_flight: v.optional(fields.max_in_flight, 1),
  enabled: v.optional(fields.enabled, true),
});

/** Body of `PATCH /api/plcs/{id}`: any subset of the fields. */
export const PlcPatch = v.partial(v.strictObject(fields));

export type PlcInput = v.InferOutput<typeof PlcCreate>;
export type PlcPatchInput = v.InferOutput<typeof PlcPatch>;

/** A PLC as stored. */
export const Plc = v.strictObject({ id: v.number(), ...storedFields(PlcCreate.entries) });
export type Plc = v.InferOutput<typeof Plc>;

/** A PLC as reads return it: with its connection `status`. */
export const PlcView = v.strictObject({ ...Plc.entries, status: PlcStatusView });
