/** A PLC's connection as the poller last saw it (SPEC 3 `status`). */
export interface PlcStatusView {
  connected: boolean;
  last_ok_at: string | null;
  last_error: string | null;
}

/** A datapoint's latest value (SPEC 3 `live`). */
export interface LiveValueView {
  value: number | null;
  quality: 'good' | 'bad';
  ts: string | null;
  error?: string;
}

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
