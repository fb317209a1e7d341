import { describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import type { ClientTransport, StreamUser } from './client.js';
import type { FrameBatch } from './frame.js';
import { createHub } from './hub.js';

// The snapshot a stream opens with, when many open at once (a reconnect storm): the active
// alarms are read and serialized once per journal position and 250 ms, not once per stream.

const admin: StreamUser = { id: 1, username: 'admin', permissions: ['alarms:read', 'config:read'], tokenVersion: 0 };

class Collector implements ClientTransport {
  readonly kind = 'sse';
  readonly received: { type: string; last_event_id?: number; active?: { value: number }[] }[] = [];
  write(batch: FrameBatch): boolean {
    for (const f of batch.frames) this.received.push(JSON.parse(f.json));
    return true;
  }
  backlog = () => 0;
  drained = () => Promise.resolve();
  close(): void {}
  snapshot = () => this.received.find((m) => m.type === 'snapshot');
}

function hubOverJournal() {
  const clock = manualClock(0);
  const journal = { last: 5, value: 1, reads: 0 };
  const hub = createHub(
    {
      readPage: async (q) => ({ rows: [], through: q.upto }),
      range: async () => ({ first: 1, last: journal.last }),
      activeAlarms: () => {
        journal.reads++;
        return [{ rule_id: 7, value: journal.value }];
      },
    },
    clock,
    { heartbeatMs: 30_000, maxStreamsPerUser: 100 },
  );
  const open = async (topics?: ('alarms' | 'config')[]) => {
    const c = new Collector();
    await hub.open(admin, c, { topics }).ready;
    return c;
  };
  return { clock, journal, open };
}

describe('snapshots', () => {
  it('reads the active alarms once for the streams that open at the same position within 250 ms', async () => {
    const { journal, open } = hubOverJournal();
    const streams = await Promise.all(Array.from({ length: 50 }, () => open()));
    expect(journal.reads).toBe(1);
    for (const s of streams) expect(s.snapshot()).toEqual({ type: 'snapshot', last_event_id: 5, active: [{ rule_id: 7, value: 1 }] });
  });

  it('reads them again 250 ms later, or at once when the journal has moved on', async () => {
    const { clock, journal, open } = hubOverJournal();
    await open();
    journal.value = 2;
    clock.advance(249);
    expect((await open()).snapshot()?.active).toEqual([{ rule_id: 7, value: 1 }]);
    clock.advance(1);
    expect((await open()).snapshot()?.active).toEqual([{ rule_id: 7, value: 2 }]);
    journal.last = 6;
    journal.value = 3;
    expect((await open()).snapshot()).toEqual({ type: 'snapshot', last_event_id: 6, active: [{ rule_id: 7, value: 3 }] });
    expect(journal.reads).toBe(3);
  });

  it('gives a stream without the alarms topic an empty snapshot, without reading the alarms', async () => {
    const { journal, open } = hubOverJournal();
    expect((await open(['config'])).snapshot()).toEqual({ type: 'snapshot', last_event_id: 5, active: [] });
    expect(journal.reads).toBe(0);
  });
});
