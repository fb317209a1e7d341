import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../src/kernel/manual-clock.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

// Heartbeats that never tick while the clock is moved on by months; tokens that last a day.
const ENV = { HEARTBEAT_MS: '3600000', TOKEN_TTL_S: String(30 * 86_400) };
const DAY = 86_400_000;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const timer = (label: string) => ({ kind: 'timer', label, timer: { duration_s: 60, started_at: null } });

describe('tombstones of deleted items', () => {
  it('are forgotten after 90 days: older cursors must sync from 0, and feed positions are never reused', async () => {
    const clock = manualClock(Date.parse('2026-01-05T08:00:00.000Z'));
    t = await startRestApp(ENV, { clock });
    let token = await t.login();
    const [a, b] = [randomUUID(), randomUUID()];
    await t.call('PUT', `/api/items/${a}`, { token, body: timer('tea') });
    const early = (await t.call('GET', '/api/items?since=0', { token })).json.cursor as number;
    await t.call('PUT', `/api/items/${b}`, { token, body: timer('eggs') });
    clock.advance(DAY);
    expect((await t.call('DELETE', `/api/items/${a}`, { token })).status).toBe(204);
    const latest = (await t.call('GET', '/api/items?since=0', { token })).json;
    expect(latest.changes.map((i: { id: string; deleted: boolean }) => [i.id, i.deleted])).toEqual([
      [b, false],
      [a, true],
    ]);

    clock.advance(91 * DAY); // a daily prune comes when the tombstone is over 90 days old
    token = await t.login();
    const app = t;
    await vi.waitFor(async () => expect((await app.call('GET', `/api/items?since=${early}`, { token })).status).toBe(409));

    const fromZero = (await t.call('GET', '/api/items?since=0', { token })).json;
    expect(fromZero.changes.map((i: { id: string }) => i.id)).toEqual([b]);
    // Its cursor works, though this user's newest row is older than the pruned tombstone.
    expect((await t.call('GET', `/api/items?since=${fromZero.cursor}`, { token })).json).toEqual({ changes: [], cursor: fromZero.cursor });
    expect((await t.call('GET', `/api/items?since=${latest.cursor}`, { token })).json).toEqual({ changes: [], cursor: latest.cursor });
    const c = randomUUID();
    await t.call('PUT', `/api/items/${c}`, { token, body: timer('pasta') });
    const after = (await t.call('GET', `/api/items?since=${latest.cursor}`, { token })).json;
    expect(after.changes.map((i: { id: string }) => i.id)).toEqual([c]);
    expect(after.cursor).toBeGreaterThan(latest.cursor);
  });
});
