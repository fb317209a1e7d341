import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../journal/events.js';
import { createRecentEvents } from './recent-events.js';

const event = (id: number): JournalEvent => ({ id, topic: 'alarms', type: 'alarm_state', ts: '', owner_id: null, rule_id: 1, payload: {} });
const ids = (events: JournalEvent[] | undefined) => events?.map((e) => e.id);

describe('recent events', () => {
  it('vouches only for what follows its first batch, and answers pages of it', () => {
    const recent = createRecentEvents();
    expect(recent.after(0, 10)).toBeUndefined(); // nothing seen yet: the database answers
    recent.add([event(5), event(6)]);
    recent.add([event(9)]); // ids 7 and 8 were never published (a rolled-back transaction)
    expect(recent.after(3, 10)).toBeUndefined(); // 4 might exist: not held
    expect(ids(recent.after(4, 10))).toEqual([5, 6, 9]);
    expect(ids(recent.after(5, 1))).toEqual([6]);
    expect(ids(recent.after(7, 10))).toEqual([9]);
    expect(ids(recent.after(9, 10))).toEqual([]); // caught up
  });

  it('forgets the oldest past its capacity, and starts again on a batch out of order', () => {
    const recent = createRecentEvents(3);
    for (let id = 1; id <= 6; id++) recent.add([event(id)]);
    expect(recent.after(2, 10)).toBeUndefined();
    expect(ids(recent.after(3, 10))).toEqual([4, 5, 6]);
    recent.add([event(5)]);
    expect(recent.after(3, 10)).toBeUndefined();
    expect(ids(recent.after(4, 10))).toEqual([5]);
  });
});
