/** Why a read failed, as a closed set of codes; only an exception reply keeps the connection. */

export type PollErrorCode =
  | 'exception' // the device answered with a Modbus exception
  | 'timeout' // no reply within timeout_ms
  | 'connect_timeout'
  | 'refused'
  | 'reset' // connection reset or closed by the peer
  | 'unreachable' // DNS, no route, and other socket errors
  | 'protocol'; // a reply that does not fit the request

const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

export class PollError extends Error {
  override readonly name = 'PollError';
  constructor(
    readonly code: PollErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** True when the socket can no longer be trusted and must be replaced. */
  get dropsConnection(): boolean {
    return this.code !== 'exception';
  }
}

export function exceptionError(exceptionCode: number): PollError {
  const hex = exceptionCode.toString(16).toUpperCase().padStart(2, '0');
  const name = EXCEPTION_NAMES[exceptionCode] ?? 'unknown exception';
  return new PollError('exception', `Modbus exception ${hex} (${name})`);
}

/** Maps a socket error (errno code) to our codes with a message an operator can act on. */
export function socketError(err: unknown, target: string): PollError {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return new PollError('refused', `connection refused by ${target}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new PollError('reset', `connection reset by ${target}`);
    case 'ETIMEDOUT':
      return new PollError('connect_timeout', `connection to ${target} timed out`);
    default: {
      const text = err instanceof Error ? err.message : String(err);
      return new PollError('unreachable', `cannot reach ${target}: ${text}`);
    }
  }
}

export function toPollError(err: unknown): PollError {
  if (err instanceof PollError) return err;
  return new PollError('protocol', err instanceof Error ? err.message : String(err));
}
