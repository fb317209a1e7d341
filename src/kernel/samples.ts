import type { Quality } from './enums.js';

/** One polled value, as the rule engine takes it. `ts` is epoch ms on the clock's time base. */
export interface Sample {
  datapoint_id: number;
  value: number | null;
  quality: Quality;
  ts: number;
}

/** A sample as the poller reports it: a bad one has a null value and says why. */
export interface ValueSample extends Sample {
  error: string | null;
}
