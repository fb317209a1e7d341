import { describe, expect, it } from 'vitest';
import { linkStatus, linkTransition, type LinkState } from './link-state.js';

describe('linkTransition', () => {
  const unknown: LinkState = { kind: 'unknown' };

  it('reports the first success and not the following ones', () => {
    const first = linkTransition(unknown, { type: 'read_ok', at: 1 });
    expect(first.changed).toBe(true);
    const second = linkTransition(first.to, { type: 'read_ok', at: 2 });
    expect(second).toEqual({ from: first.to, to: { kind: 'connected', last_ok_at: 2 }, changed: false });
  });

  it('keeps last_ok_at across a failure and reports a changed reason', () => {
    const ok: LinkState = { kind: 'connected', last_ok_at: 5 };
    const down = linkTransition(ok, { type: 'failed', error: 'timeout' });
    expect(down.to).toEqual({ kind: 'disconnected', error: 'timeout', last_ok_at: 5 });
    expect(down.changed).toBe(true);
    expect(linkTransition(down.to, { type: 'failed', error: 'timeout' }).changed).toBe(false);
    expect(linkTransition(down.to, { type: 'failed', error: 'refused' }).changed).toBe(true);
    expect(linkTransition(unknown, { type: 'failed', error: 'x' }).to).toEqual({
      kind: 'disconnected',
      error: 'x',
      last_ok_at: null,
    });
  });
});

describe('linkStatus', () => {
  it('maps states to protocol fields', () => {
    expect(linkStatus({ kind: 'unknown' })).toEqual({ connected: false, last_ok_at: null, error: null });
    expect(linkStatus({ kind: 'connected', last_ok_at: 3 })).toEqual({ connected: true, last_ok_at: 3, error: null });
    expect(linkStatus({ kind: 'disconnected', error: 'e', last_ok_at: 3 })).toEqual({
      connected: false,
      last_ok_at: 3,
      error: 'e',
    });
  });
});
