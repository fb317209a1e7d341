/** Messages between the main thread and the poller worker; each side parses what it receives. */
import * as v from 'valibot';
import { AREAS, VALUE_TYPES, WORD_ORDERS } from '../kernel/enums.js';

const id = v.pipe(v.number(), v.integer(), v.minValue(0));
const ms = v.pipe(v.number(), v.integer(), v.minValue(1));
const finite = v.pipe(v.number(), v.finite());

export const plcSchema = v.object({
  id,
  host: v.pipe(v.string(), v.minLength(1)),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  unit_id: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255)),
  poll_interval_ms: ms,
  timeout_ms: ms,
  max_in_flight: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
  enabled: v.boolean(),
});
/** A PLC as the poller needs it (the REST row minus name and status). */
export type PollerPlc = v.InferOutput<typeof plcSchema>;

export const pointSchema = v.object({
  id,
  plc_id: id,
  area: v.picklist(AREAS),
  address: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)),
  type: v.picklist(VALUE_TYPES),
  word_order: v.picklist(WORD_ORDERS),
  scale: finite,
  offset: finite,
});
/** A datapoint as the poller needs it. */
export type PollerPoint = v.InferOutput<typeof pointSchema>;

export const reconnectSchema = v.object({ maxMs: ms });

export const mainToWorkerSchema = v.variant('type', [
  v.object({
    type: v.literal('configure'),
    plcs: v.array(plcSchema),
    points: v.array(pointSchema),
    reconnect: v.optional(reconnectSchema),
  }),
  v.object({ type: v.literal('ping'), id }),
  v.object({ type: v.literal('stop') }),
  // Test hooks, honoured only when the worker was started with `debug: true`.
  v.object({ type: v.literal('debug'), action: v.picklist(['throw', 'hang']) }),
]);
export type MainToWorker = v.InferOutput<typeof mainToWorkerSchema>;

export const plcStatsSchema = v.object({
  plc_id: id,
  connected: v.boolean(),
  last_ok_at: v.nullable(v.number()),
  error: v.nullable(v.string()),
  cycles: v.number(),
  requests_per_cycle: v.number(),
  /** Modbus requests answered (including exception replies). */
  reads: v.number(),
  /** Failed requests and connection attempts. */
  errors: v.number(),
  last_latency_ms: v.nullable(v.number()),
  avg_latency_ms: v.nullable(v.number()),
});
export type PlcPollStats = v.InferOutput<typeof plcStatsSchema>;

export const workerStatsSchema = v.object({
  /** Event-loop busy and idle time of the worker thread since it started. */
  active_ms: v.number(),
  idle_ms: v.number(),
  /** Modbus replies handled, to relate active time to work done. */
  replies: v.number(),
});
export type WorkerStats = v.InferOutput<typeof workerStatsSchema>;

/**
 * Bucket bounds of poll round trips (request sent to reply decoded), in ms: loopback answers take
 * a fraction of a millisecond, a PLC on a LAN a few, one behind a gateway tens to hundreds.
 */
export const ROUND_TRIP_BOUNDS_MS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Round trips since the worker's last message: a count per bound (not cumulative), then those above the last. */
export const roundTripsSchema = v.object({
  counts: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0))), v.length(ROUND_TRIP_BOUNDS_MS.length + 1)),
  sum_ms: v.pipe(v.number(), v.finite(), v.minValue(0)),
});
export type RoundTrips = v.InferOutput<typeof roundTripsSchema>;

const statusFields = {
  plc_id: id,
  connected: v.boolean(),
  last_ok_at: v.nullable(v.number()),
  error: v.nullable(v.string()),
};

export const valuesMessageSchema = v.object({
  type: v.literal('values'),
  plc_id: id,
  ts: v.number(),
  /** Parallel arrays of changed points; a bad point has quality 0 and value NaN. */
  ids: v.instance(Uint32Array),
  values: v.instance(Float64Array),
  quality: v.instance(Uint8Array),
  errors: v.optional(v.array(v.object({ id, error: v.string() }))),
  /** performance.timeOrigin + now() at posting, to measure the hop. */
  sent_at: v.number(),
  round_trips: v.optional(roundTripsSchema),
});
export type ValuesMessage = v.InferOutput<typeof valuesMessageSchema>;

export const workerToMainSchema = v.variant('type', [
  valuesMessageSchema,
  v.object({ type: v.literal('status'), ...statusFields }),
  v.object({
    type: v.literal('pong'),
    id,
    stats: v.object({ plcs: v.array(plcStatsSchema), worker: workerStatsSchema }),
    round_trips: v.optional(roundTripsSchema),
  }),
  v.object({ type: v.literal('log'), level: v.picklist(['info', 'warn', 'error']), message: v.string() }),
]);
export type WorkerToMain = v.InferOutput<typeof workerToMainSchema>;
export type StatusMessage = Extract<WorkerToMain, { type: 'status' }>;
export type PongMessage = Extract<WorkerToMain, { type: 'pong' }>;

export const QUALITY_BAD = 0;
export const QUALITY_GOOD = 1;
