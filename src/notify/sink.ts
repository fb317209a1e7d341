import type { Outgoing } from './outgoing.js';

/**
 * Where one notifier's messages go. `send` resolves once the far end has taken the message
 * (a 2xx answer, a PUBACK) and rejects with a DeliveryFailure otherwise; `signal` aborts it.
 */
export interface Sink {
  send(message: Outgoing, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
