/**
 * PLC host names, resolved once per TTL. net.Socket.connect resolves a name with dns.lookup,
 * which queues on libuv's thread pool; when that pool is busy (password hashing, file I/O) every
 * reconnect waits behind it and the PLC goes disconnected. So we resolve here, cache the address,
 * and on a failed or slow look-up keep connecting to the last good one.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../kernel/clock.js';
import type { ConnectPlc } from './plc-connection.js';
import { PollError } from './poll-error.js';

/** One look-up: a host name to one address. */
export type LookupHost = (host: string) => Promise<string>;

export interface HostResolverOptions {
  lookup: LookupHost;
  clock: Clock;
  /** How long an address is used before it is looked up again. Default 60 s. */
  ttlMs?: number;
  /** How long a reconnect waits for a refresh before it takes the last good address. Default 200 ms. */
  slowMs?: number;
}

export interface HostResolver {
  /** An address to connect to; IP literals pass through. Rejects with a PollError. */
  resolve(host: string, timeoutMs: number): Promise<string>;
}

interface Entry {
  address: string | null; // last good
  expiresAt: number;
  refresh: Promise<string> | null; // the one look-up in flight, shared
}

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_SLOW_MS = 200;

export function createHostResolver(options: HostResolverOptions): HostResolver {
  const { lookup, clock } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  const entries = new Map<string, Entry>();

  function refresh(host: string, entry: Entry): Promise<string> {
    entry.refresh ??= lookup(host).then(
      (address) => {
        entry.address = address;
        entry.expiresAt = clock.now() + ttlMs;
        entry.refresh = null;
        return address;
      },
      (err: unknown) => {
        entry.refresh = null;
        throw err;
      },
    );
    return entry.refresh;
  }

  return {
    async resolve(host, timeoutMs) {
      if (isIP(host) !== 0) return host;
      let entry = entries.get(host);
      if (entry === undefined) {
        entry = { address: null, expiresAt: 0, refresh: null };
        entries.set(host, entry);
      }
      if (entry.address !== null && clock.now() < entry.expiresAt) return entry.address;
      const last = entry.address;
      const outcome = await within(refresh(host, entry), last === null ? timeoutMs : slowMs, clock);
      if (outcome.kind === 'answered') return outcome.address;
      if (last !== null) return last;
      const why = outcome.kind === 'failed' ? errorText(outcome.error) : `no answer within ${timeoutMs} ms`;
      throw new PollError('unreachable', `cannot resolve ${host}: ${why}`);
    },
  };
}

type Outcome = { kind: 'answered'; address: string } | { kind: 'failed'; error: unknown } | { kind: 'slow' };

/** How a look-up ended, or that it did not within `ms` (it runs on and fills the cache later). */
function within(lookedUp: Promise<string>, ms: number, clock: Clock): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(clock.now() + ms, () => resolve({ kind: 'slow' }));
    lookedUp.then(
      (address) => {
        clock.clearTimer(timer);
        resolve({ kind: 'answered', address });
      },
      (error: unknown) => {
        clock.clearTimer(timer);
        resolve({ kind: 'failed', error });
      },
    );
  });
}

/** Wraps a connect so that it dials the resolved address; errors still name the host. */
export function resolvingConnect(connect: ConnectPlc, resolver: HostResolver): ConnectPlc {
  return async function connectResolved(target, timeoutMs) {
    const address = await resolver.resolve(target.host, timeoutMs);
    return connect({ ...target, address }, timeoutMs);
  };
}

/** The system resolver (getaddrinfo, so /etc/hosts counts), IPv4 first as PLC networks are. */
export const systemLookup: LookupHost = async function systemLookup(host) {
  const all = await dnsLookup(host, { all: true });
  const chosen = all.find((a) => a.family === 4) ?? all[0];
  if (chosen === undefined) throw new Error(`no address for ${host}`);
  return chosen.address;
};

function errorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
}
