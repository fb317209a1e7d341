import type { Clock } from '../kernel/clock.js';
import type { JournalEvent } from '../journal/events.js';
import type { Logger } from '../log/logger.js';
import { createDelivery, type Delivery } from './delivery.js';
import type { CursorStore } from './delivery-cursor.js';
import type { Notifier } from './notifier.js';
import { sinkFor } from './notifier-sink.js';
import type { RuleLookup } from './outgoing.js';

export interface NotifierDeps {
  readAfter(afterId: number, limit: number): Promise<JournalEvent[]>;
  /** This notifier's cursor row. */
  cursor: CursorStore;
  clock: Clock;
  log: Logger;
  random: () => number;
  rules: RuleLookup;
  /** The rule's current alarm (SPEC 4 body), null once it is gone: MQTT's retained state. */
  currentAlarm(ruleId: number): unknown;
}

/** One enabled notifier at work: its sink and its delivery loop. Stop it before editing or deleting it. */
export interface RunningNotifier {
  delivery: Delivery;
  stop(): Promise<void>;
}

export async function runNotifier(notifier: Notifier, deps: NotifierDeps): Promise<RunningNotifier> {
  const sink = sinkFor(notifier, deps);
  const delivery = createDelivery({ notifier, sink, ...deps });
  try {
    await delivery.start();
  } catch (err) {
    await sink.close();
    throw err;
  }
  return {
    delivery,
    async stop() {
      await delivery.stop(); // first: no attempt may be left on a closed sink
      await sink.close();
    },
  };
}
