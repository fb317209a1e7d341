import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../journal/events.js';
import { manualClock } from '../kernel/manual-clock.js';
import type { ClientTransport, StreamUser } from './client.js';
import { CLOSE } from './close-codes.js';
import type { FrameBatch } from './frame.js';
import { createHub } from './hub.js';

// The hub over a server that fans out natively (Bun's pub/sub), with a fake server: which
// connections hear an event through their audiences, which are written to one by one, and
// that nobody hears anything twice or not at all.

const admin: StreamUser = { id: 1, username: 'admin', permissions: ['alarms:read', 'alarms:ack'], tokenVersion: 0 };
const other: StreamUser = { id: 2, username: 'ops', permissions: ['alarms:read'], tokenVersion: 0 };

/** A fake server: audiences as sets of sockets, each socket with what it received. */
function fakeServer() {
  const audiences = new Map<string, Set<FakeSocket>>();
  const publish = (audience: string, text: string) => {
    for (const s of audiences.get(audience) ?? []) s.received.push(JSON.parse(text));
  };
  return { audiences, publish, socket: (): FakeSocket => new FakeSocket(audiences) };
}

class FakeSocket implements ClientTransport {
  readonly kind = 'ws';
  received: { type: string; id?: number }[] = [];
  queued = 0;
  closedWith: number | undefined;
  constructor(private readonly all: Map<string, Set<FakeSocket>>) {}
  readonly audiences = {
    join: (name: string) => void (this.all.get(name) ?? this.all.set(name, new Set()).get(name)!).add(this),
    leave: (name: string) => void this.all.get(name)?.delete(this),
  };
  write(batch: FrameBatch): boolean {
    for (const f of batch.frames) this.received.push(JSON.parse(f.json));
    return true;
  }
  backlog = () => this.queued;
  drained = () => Promise.resolve();
  congested = () => this.queued > 1024 * 1024;
  close(code: number): void {
    this.closedWith = code;
  }
  ids = () => this.received.filter((m) => m.id !== undefined && m.type !== 'snapshot').map((m) => m.id);
}

let nextId = 1;
const event = (topic: JournalEvent['topic'], ownerId: number | null = null, ruleId: number | null = null): JournalEvent => ({
  id: nextId++,
  topic,
  type: topic === 'items' ? 'item_created' : 'alarm_state',
  ts: '2026-12-05T00:00:00.000Z',
  owner_id: ownerId,
  rule_id: ruleId,
  payload: {},
});

function hubOver(server: ReturnType<typeof fakeServer>) {
  const hub = createHub(
    { readPage: async (q) => ({ rows: [], through: q.upto }), range: async () => ({ first: 1, last: 0 }), activeAlarms: () => [] },
    manualClock(0),
    { heartbeatMs: 30_000, maxStreamsPerUser: 10 },
  );
  hub.broadcastWith(server.publish);
  return hub;
}

describe('native fan-out', () => {
  it("sends each event once to every live socket through its audiences, a user's items to that user only", async () => {
    const server = fakeServer();
    const hub = hubOver(server);
    const [a, b] = [server.socket(), server.socket()];
    await hub.open(admin, a).ready;
    await hub.open(other, b).ready;
    expect([...server.audiences.keys()].sort()).toEqual(['alarms', 'config', 'items:1', 'items:2', 'system', 'values']);
    const alarm = event('alarms', null, 5);
    const mine = event('items', 1);
    hub.publish([alarm, mine]);
    expect(a.ids()).toEqual([alarm.id, mine.id]);
    expect(b.ids()).toEqual([alarm.id]);
    expect(hub.stats.delivered).toBeGreaterThanOrEqual(3);
  });

  it('writes directly to a socket that filters rules, and only the rules it asked for', async () => {
    const server = fakeServer();
    const hub = hubOver(server);
    const [filtered, plain] = [server.socket(), server.socket()];
    const { conn, ready } = hub.open(admin, filtered, { topics: ['alarms'] });
    await ready;
    await hub.open(admin, plain, { topics: ['alarms'] }).ready;
    hub.subscribe(conn, ['alarms'], [7]);
    expect([...server.audiences.get('alarms')!]).toEqual([plain]);
    const [wanted, unwanted] = [event('alarms', null, 7), event('alarms', null, 8)];
    hub.publish([wanted, unwanted]);
    expect(filtered.ids()).toEqual([wanted.id]);
    expect(plain.ids()).toEqual([wanted.id, unwanted.id]);
  });

  it('leaves the audiences the role no longer allows', async () => {
    const server = fakeServer();
    const hub = hubOver(server);
    const s = server.socket();
    await hub.open(other, s).ready;
    hub.userChanged(other.id, { ...other, permissions: [] });
    expect([...server.audiences].filter(([, members]) => members.has(s)).map(([name]) => name)).toEqual(['items:2']);
    hub.publish([event('alarms')]);
    expect(s.ids()).toEqual([]);
  });

  it('closes a socket past its buffer limit (4008) once another 64 KiB has been published, and only that one', async () => {
    const server = fakeServer();
    const hub = hubOver(server);
    const [slow, fine] = [server.socket(), server.socket()];
    await hub.open(admin, slow).ready;
    await hub.open(admin, fine).ready;
    slow.queued = 2 * 1024 * 1024;
    const sized = (kib: number) => ({ ...event('alarms'), payload: { note: 'x'.repeat(kib * 1024) } });
    hub.publish([sized(30)]);
    expect(slow.closedWith).toBeUndefined(); // the backlogs are checked per 64 KiB published, not per batch
    hub.publish([sized(30), sized(5)]);
    expect(slow.closedWith).toBe(CLOSE.slowConsumer);
    expect(fine.closedWith).toBeUndefined();
    expect(server.audiences.get('alarms')?.has(slow)).toBe(false);
    expect(hub.stats.slowConsumerCloses).toBe(1);
  });
});
