import type { Clock } from '../clock.js';

interface Window {
  failures: number;
  startedAt: number;
}

export interface LoginLimits {
  windowMs: number;
  perUsername: number;
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUsername: 5, perAddress: 20 };

// Bounds memory under a spray of random usernames; the oldest windows go first.
const MAX_TRACKED = 10_000;

/**
 * Counts failed logins per username and per client address in fixed windows. A locked
 * username does not affect other accounts, and a busy address does not affect others.
 */
export function createLoginLimiter(clock: Clock, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  const windows = new Map<string, Window>();

  function current(key: string, now: number): Window | undefined {
    const w = windows.get(key);
    if (w && now - w.startedAt >= limits.windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  function retryAfter(key: string, max: number, now: number): number {
    const w = current(key, now);
    return w && w.failures >= max ? Math.ceil((w.startedAt + limits.windowMs - now) / 1000) : 0;
  }

  function bump(key: string, now: number) {
    const w = current(key, now);
    if (w) {
      w.failures += 1;
      return;
    }
    if (windows.size >= MAX_TRACKED) windows.delete(windows.keys().next().value!);
    windows.set(key, { failures: 1, startedAt: now });
  }

  const userKey = (username: string) => `u:${username.toLowerCase()}`;
  const addressKey = (address: string) => `a:${address}`;

  return {
    /** Seconds to wait before trying again, 0 when a try is allowed. */
    retryAfterS(username: string, address: string): number {
      const now = clock.now();
      return Math.max(
        retryAfter(userKey(username), limits.perUsername, now),
        retryAfter(addressKey(address), limits.perAddress, now),
      );
    },
    failed(username: string, address: string): void {
      const now = clock.now();
      bump(userKey(username), now);
      bump(addressKey(address), now);
    },
    succeeded(username: string): void {
      windows.delete(userKey(username));
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
