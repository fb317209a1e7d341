import * as v from 'valibot';

/** A PLC's connection as the poller last saw it (SPEC 3 `status`). */
export const PlcStatusView = v.strictObject({
  connected: v.boolean(),
  last_ok_at: v.nullable(v.string()),
  last_error: v.nullable(v.string()),
});
export type PlcStatusView = v.InferOutput<typeof PlcStatusView>;

/** A datapoint's latest value (SPEC 3 `live`). */
export const LiveValueView = v.strictObject({
  value: v.nullable(v.number()),
  quality: v.picklist(['good', 'bad']),
  ts: v.nullable(v.string()),
  error: v.optional(v.string()),
});
export type LiveValueView = v.InferOutput<typeof LiveValueView>;

const NEVER_POLLED: LiveValueView = { value: null, quality: 'bad', ts: null, error: 'not polled yet' };
const NEVER_CONNECTED: PlcStatusView = { connected: false, last_ok_at: null, last_error: null };

/** The latest values and PLC statuses, kept in memory for reads. */
export function createLiveState() {
  const values = new Map<number, LiveValueView>();
  const statuses = new Map<number, PlcStatusView>();
  return {
    value: (datapointId: number): LiveValueView => values.get(datapointId) ?? NEVER_POLLED,
    status: (plcId: number): PlcStatusView => statuses.get(plcId) ?? NEVER_CONNECTED,
    setValue(datapointId: number, v: LiveValueView) {
      values.set(datapointId, v);
    },
    setStatus(plcId: number, s: PlcStatusView) {
      statuses.set(plcId, s);
    },
    forget(ids: { datapoints?: number[]; plcs?: number[] }) {
      for (const id of ids.datapoints ?? []) values.delete(id);
      for (const id of ids.plcs ?? []) statuses.delete(id);
    },
  };
}

export type LiveState = ReturnType<typeof createLiveState>;
