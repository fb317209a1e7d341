import { AppError } from '../errors.js';

export interface PasswordGateLimits {
  /** Password checks running at once: each holds a libuv pool thread and 32 MiB. */
  concurrent: number;
  /** Sign-ins waiting their turn; beyond this the next one answers 429 at once. */
  queued: number;
}

// Two of libuv's pool threads at most (see src/server/thread-pool.ts for its size), so file,
// DNS and compression work keeps its threads; 64 waiting lets a whole shift sign in at once.
export const DEFAULT_PASSWORD_GATE: PasswordGateLimits = { concurrent: 2, queued: 64 };

/**
 * Bounds concurrent password checks. Waiting sign-ins are served round robin by client
 * address, so one address's burst cannot make everyone else wait behind it.
 */
export function createPasswordGate(limits: PasswordGateLimits = DEFAULT_PASSWORD_GATE) {
  const waiting = new Map<string, (() => void)[]>();
  let queued = 0;
  let running = 0;

  function admit(): void {
    const first = waiting.entries().next();
    if (first.done) {
      running -= 1;
      return;
    }
    const [address, queue] = first.value;
    const wake = queue.shift()!;
    waiting.delete(address);
    if (queue.length > 0) waiting.set(address, queue); // to the back of the round
    queued -= 1;
    wake(); // the slot passes straight to it
  }

  return {
    /** Runs `check` when a slot is free; rejects with 429 when the queue is full. */
    async run<T>(address: string, check: () => Promise<T>): Promise<T> {
      if (running < limits.concurrent) running += 1;
      else if (queued >= limits.queued) {
        throw new AppError('rate_limited', 'Too many sign-ins at once; try again in a moment', [], { 'retry-after': '1' });
      } else {
        queued += 1;
        await new Promise<void>((resolve) => {
          const queue = waiting.get(address);
          if (queue) queue.push(resolve);
          else waiting.set(address, [resolve]);
        });
      }
      try {
        return await check();
      } finally {
        admit();
      }
    },
    get running() {
      return running;
    },
    get queued() {
      return queued;
    },
  };
}

export type PasswordGate = ReturnType<typeof createPasswordGate>;
