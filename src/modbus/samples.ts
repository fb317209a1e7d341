/** What the poller hands the rest of the server: plain samples and PLC statuses. */
import { QUALITY_GOOD, type ValuesMessage } from './protocol.js';
import type { ValueSample } from '../kernel/samples.js';

/** A PLC's connection as last reported; `last_ok_at` is as of that report. */
export interface PlcStatus {
  plc_id: number;
  connected: boolean;
  last_ok_at: number | null;
  error: string | null;
}

export function samplesFromMessage(message: ValuesMessage): ValueSample[] {
  const reasons = new Map<number, string>();
  for (const e of message.errors ?? []) reasons.set(e.id, e.error);
  const out = new Array<ValueSample>(message.ids.length);
  for (let i = 0; i < message.ids.length; i++) {
    const id = message.ids[i] ?? 0;
    const good = message.quality[i] === QUALITY_GOOD;
    out[i] = {
      datapoint_id: id,
      value: good ? (message.values[i] ?? null) : null,
      quality: good ? 'good' : 'bad',
      ts: message.ts,
      error: good ? null : (reasons.get(id) ?? 'bad quality'),
    };
  }
  return out;
}

export function badSamples(ids: readonly number[], ts: number, error: string): ValueSample[] {
  return ids.map((datapoint_id) => ({ datapoint_id, value: null, quality: 'bad', ts, error }));
}
