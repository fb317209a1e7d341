import { describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import { createHostResolver, type LookupHost } from './host-resolver.js';

/** A look-up the test answers by hand; `calls` lists the names asked for. */
function manualLookup() {
  const pending: { resolve(address: string): void; reject(err: Error): void }[] = [];
  const calls: string[] = [];
  const lookup: LookupHost = (host) => {
    calls.push(host);
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  };
  const next = () => {
    const p = pending.shift();
    if (p === undefined) throw new Error('no look-up pending');
    return p;
  };
  return {
    lookup,
    calls,
    answer: (address: string) => next().resolve(address),
    fail: (code: string) => next().reject(Object.assign(new Error(`getaddrinfo ${code}`), { code })),
  };
}

/** Lets promise callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup() {
  const clock = manualClock(1_000_000);
  const dns = manualLookup();
  const resolver = createHostResolver({ lookup: dns.lookup, clock, ttlMs: 60_000, slowMs: 200 });
  return { clock, dns, resolver };
}

describe('createHostResolver', () => {
  it('passes IP literals through without a look-up', async () => {
    const { dns, resolver } = setup();
    expect(await resolver.resolve('10.0.0.5', 1000)).toBe('10.0.0.5');
    expect(await resolver.resolve('::1', 1000)).toBe('::1');
    expect(dns.calls).toEqual([]);
  });

  it('looks a name up once per TTL', async () => {
    const { clock, dns, resolver } = setup();
    const first = resolver.resolve('plc1.local', 1000);
    const second = resolver.resolve('plc1.local', 1000); // shares the look-up in flight
    dns.answer('10.0.0.5');
    expect(await Promise.all([first, second])).toEqual(['10.0.0.5', '10.0.0.5']);
    clock.advance(59_999);
    expect(await resolver.resolve('plc1.local', 1000)).toBe('10.0.0.5');
    expect(dns.calls).toEqual(['plc1.local']);

    clock.advance(1);
    const refreshed = resolver.resolve('plc1.local', 1000);
    dns.answer('10.0.0.6'); // the PLC moved
    expect(await refreshed).toBe('10.0.0.6');
    expect(dns.calls).toHaveLength(2);
  });

  it('keeps the last good address when a refresh fails', async () => {
    const { clock, dns, resolver } = setup();
    const first = resolver.resolve('plc1.local', 1000);
    dns.answer('10.0.0.5');
    await first;
    clock.advance(60_000);
    const stale = resolver.resolve('plc1.local', 1000);
    dns.fail('EAI_AGAIN');
    expect(await stale).toBe('10.0.0.5');
    // Still stale, so the next reconnect tries again, and is still answered.
    const again = resolver.resolve('plc1.local', 1000);
    dns.fail('EAI_AGAIN');
    expect(await again).toBe('10.0.0.5');
    expect(dns.calls).toHaveLength(3);
  });

  it('keeps the last good address while a refresh is slow, and takes its answer when it comes', async () => {
    const { clock, dns, resolver } = setup();
    const first = resolver.resolve('plc1.local', 1000);
    dns.answer('10.0.0.5');
    await first;
    clock.advance(60_000);
    const results: string[] = [];
    void resolver.resolve('plc1.local', 1000).then((a) => results.push(a));
    await settle();
    expect(results).toEqual([]); // waits a little for a fresh answer
    clock.advance(200);
    await settle();
    expect(results).toEqual(['10.0.0.5']);
    // A reconnect during the slow look-up does not start another.
    void resolver.resolve('plc1.local', 1000).then((a) => results.push(a));
    clock.advance(200);
    await settle();
    expect(results).toEqual(['10.0.0.5', '10.0.0.5']);
    expect(dns.calls).toHaveLength(2);
    dns.answer('10.0.0.6');
    await settle();
    expect(await resolver.resolve('plc1.local', 1000)).toBe('10.0.0.6');
    expect(clock.pending()).toBe(0);
  });

  it('with no address yet, a failed or slow look-up is an unreachable PLC', async () => {
    const { clock, dns, resolver } = setup();
    const failed = resolver.resolve('nowhere.local', 1000);
    dns.fail('ENOTFOUND');
    await expect(failed).rejects.toMatchObject({ code: 'unreachable', message: 'cannot resolve nowhere.local: getaddrinfo ENOTFOUND' });

    const slow = resolver.resolve('nowhere.local', 1000).catch((e: unknown) => e);
    clock.advance(999);
    await settle();
    clock.advance(1);
    expect(await slow).toMatchObject({ code: 'unreachable', message: 'cannot resolve nowhere.local: no answer within 1000 ms' });
  });
});
