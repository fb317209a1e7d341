import type { Poller } from '../../src/modbus/poller.js';
import type { ValueSample } from '../../src/kernel/samples.js';

/**
 * A stand-in for the Modbus poller (AppOptions.poller): no worker, no socket; a test delivers a
 * PLC's poll itself, stamped with its clock's now, through the same path the poller's values take.
 */
export function fakePoller(now: () => number) {
  let onValues: (plcId: number, samples: ValueSample[]) => void = () => {
    throw new Error('the app has not started its poller yet');
  };
  const create = (options: { onValues(plcId: number, samples: ValueSample[]): void }): Poller => {
    onValues = options.onValues;
    return { start: async () => {}, configure: () => {}, stop: async () => {}, stats: () => ({ plcs: [], worker: null, restarts: 0 }) };
  };
  return {
    /** For startTestApp's options: `{ poller: fake.create }`. */
    create: create as never,
    /** One poll of `plcId`: datapoint id -> value (null: bad quality). */
    poll(plcId: number, values: Record<number, number | null>): void {
      const samples = Object.entries(values).map(
        ([id, value]): ValueSample => ({
          datapoint_id: Number(id),
          value,
          quality: value === null ? 'bad' : 'good',
          ts: now(),
          error: null,
        }),
      );
      onValues(plcId, samples);
    },
  };
}
