/** Why one delivery attempt failed: a closed set of codes, the message is for people. */
export const DELIVERY_FAILURES = [
  /** the endpoint answered, but not 2xx */
  'http_status',
  /** no answer within the time-out */
  'timeout',
  /** refused, reset or unreachable */
  'connection',
  /** the MQTT client has no connection to its broker */
  'not_connected',
  /** the broker did not acknowledge (PUBACK) in time */
  'no_ack',
  /** the delivery loop stopped while the attempt ran */
  'aborted',
] as const;

export type DeliveryFailureCode = (typeof DELIVERY_FAILURES)[number];

export class DeliveryFailure extends Error {
  override name = 'DeliveryFailure';

  constructor(
    readonly code: DeliveryFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether an aborted signal ran out of time (AbortSignal.timeout) rather than being told to stop. */
export const timedOut = (signal: AbortSignal) => signal.reason instanceof Error && signal.reason.name === 'TimeoutError';

/** A readable one-line reason for any failure; system errors keep their code (ECONNRESET). */
export function describeFailure(err: unknown): string {
  if (err instanceof DeliveryFailure) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
