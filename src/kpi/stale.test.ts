import { describe, expect, it } from 'vitest';
import { staleAlarms } from './stale.js';

const now = Date.parse('2026-12-02T12:00:00Z');
const alarm = (rule_id: number, since: string | null) => ({ rule_id, rule_name: `R${rule_id}`, since });

describe('stale alarms: active for over 24 h', () => {
  it('lists those whose state is older than 24 h, oldest first', () => {
    const active = [
      alarm(1, '2026-12-01T11:00:00.000Z'), // 25 h
      alarm(2, '2026-12-01T12:00:00.000Z'), // exactly 24 h: not over
      alarm(3, '2026-12-02T11:00:00.000Z'), // 1 h
      alarm(4, '2026-11-20T00:00:00.000Z'), // 12 days
      alarm(5, null),
    ];
    expect(staleAlarms(active, now)).toEqual([
      { rule_id: 4, rule_name: 'R4', since: '2026-11-20T00:00:00.000Z' },
      { rule_id: 1, rule_name: 'R1', since: '2026-12-01T11:00:00.000Z' },
    ]);
  });
});
