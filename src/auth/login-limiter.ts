import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { rateLimited, type AppError } from '../kernel/errors.js';

export interface LoginLimits {
  windowMs: number;
  perUsername: number;
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUsername: 5, perAddress: 20 };

/** Makes one counter; memory by default, a shared store (PostgreSQL) for a cluster. */
export type LimiterFactory = (options: IRateLimiterOptions) => RateLimiterAbstract;
const inMemory: LimiterFactory = (options) => new RateLimiterMemory(options);

/**
 * Counters in PostgreSQL, shared by every node of a cluster (SPEC 12). The table comes from
 * our migrations, so nodes starting together never race to create it.
 */
export const inPostgres =
  (pool: pg.Pool): LimiterFactory =>
  (options) =>
    new RateLimiterPostgres({ ...options, storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true });

/** A counted sign-in attempt: `succeeded()` when the password was right, `withdrawn()` when it was never checked. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
  withdrawn(): Promise<void>;
}

/**
 * Sign-in limits per username and per client address (rate-limiter-flexible). An attempt is
 * counted before its password is checked, so parallel guesses get no more tries than
 * sequential ones; a right password gives its points back. The address is counted first:
 * one address can add at most `perAddress` usernames to the counters per window, so a flood
 * of random names neither grows memory without bound nor pushes out the counter of the
 * account under attack (nothing is ever evicted).
 */
export function createLoginLimiter(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, makeLimiter: LimiterFactory = inMemory) {
  const duration = Math.ceil(limits.windowMs / 1000);
  const byAddress = makeLimiter({ keyPrefix: 'login_address', points: limits.perAddress, duration });
  const byUsername = makeLimiter({ keyPrefix: 'login_username', points: limits.perUsername, duration });

  const tooMany = (res: unknown): AppError => {
    if (!(res instanceof RateLimiterRes)) throw res; // the store failed: a 500, not a lock-out
    return rateLimited('Too many failed sign-ins; try again later', Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  };

  return {
    /** Counts an attempt; throws 429 (with Retry-After) when either limit is used up. */
    async attempt(username: string, address: string): Promise<LoginAttempt> {
      const user = usernameKey(username);
      const from = addressKey(address);
      try {
        await byAddress.consume(from);
      } catch (res) {
        throw tooMany(res);
      }
      try {
        await byUsername.consume(user);
      } catch (res) {
        await byAddress.reward(from); // no password was checked for this one
        throw tooMany(res);
      }
      return {
        async succeeded() {
          await Promise.all([byUsername.delete(user), byAddress.reward(from)]);
        },
        async withdrawn() {
          await Promise.all([byUsername.reward(user), byAddress.reward(from)]);
        },
      };
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;

// As sign-in looks names up (trimmed, NFKC): `admin ` must not be a fresh counter for `admin`.
const usernameKey = (username: string) => username.trim().normalize('NFKC').toLowerCase();

/** IPv6 clients get a /64 each, so one host cannot rotate through its own prefix. */
function addressKey(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return v4;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
