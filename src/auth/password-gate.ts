import { availableParallelism } from 'node:os';
import { rateLimited } from '../kernel/errors.js';

export interface PasswordGateLimits {
  /** Password checks running at once: each holds a libuv pool thread, a core and 32 MiB. */
  concurrent: number;
  /** Sign-ins waiting their turn; beyond this the next one answers 429 at once. */
  queued: number;
  /** Of those, from one client address. */
  queuedPerAddress: number;
}

// One core is left to the event loop (alarms, polling, streams): on 2 cores one check at a
// time, never more than two. 64 waiting lets a shift sign in at once; 4 per address keeps one
// address's burst from filling the queue.
export const DEFAULT_PASSWORD_GATE: PasswordGateLimits = {
  concurrent: Math.max(1, Math.min(2, availableParallelism() - 1)),
  queued: 64,
  queuedPerAddress: 4,
};

/**
 * Bounds concurrent password checks. The next slot goes to the address with the fewest
 * sign-ins waiting (the longest-waiting of those first), so a person at one address is served
 * next even while a storm of guesses from a few others fills the queue.
 */
export function createPasswordGate(limits: PasswordGateLimits = DEFAULT_PASSWORD_GATE) {
  // Insertion order is the round: an address served goes to the back.
  const waiting = new Map<string, (() => void)[]>();
  let queued = 0;
  let running = 0;

  function admit(): void {
    let next: [string, (() => void)[]] | undefined;
    for (const entry of waiting) if (next === undefined || entry[1].length < next[1].length) next = entry;
    if (next === undefined) {
      running -= 1;
      return;
    }
    const [address, queue] = next;
    const wake = queue.shift()!;
    waiting.delete(address);
    if (queue.length > 0) waiting.set(address, queue); // to the back of the round
    queued -= 1;
    wake(); // the slot passes straight to it
  }

  function enqueue(address: string): Promise<void> {
    if (queued >= limits.queued) throw rateLimited('Too many sign-ins at once; try again in a moment');
    const queue = waiting.get(address) ?? [];
    if (queue.length >= limits.queuedPerAddress) throw rateLimited('Too many sign-ins from this address at once');
    queued += 1;
    if (queue.length === 0) waiting.set(address, queue);
    return new Promise<void>((resolve) => queue.push(resolve));
  }

  return {
    /** Runs `check` when a slot is free; rejects with 429 when the queue (or the address's share) is full. */
    async run<T>(address: string, check: () => Promise<T>): Promise<T> {
      if (running < limits.concurrent) running += 1;
      else await enqueue(address);
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
