import { describe, expect, it } from 'vitest';
import { kpiFigures, type KpiTimeline } from './kpi-figures.js';
import { KPI_ACK } from './kpi-kind.js';

const from = Date.parse('2026-12-01T00:00:00Z');
const to = from + 4 * 3_600_000; // 4 h, 24 windows
const min = 60_000;
const t = (minutes: number) => from + minutes * min;

describe('kpiFigures', () => {
  it('counts, ranks, finds chattering and ack times from the rules timelines', () => {
    const timelines: KpiTimeline[] = [
      // rule 1, high: a flood of 12 in the first window, all within 60 s: chattering
      { rule_id: 1, kind: 3, times: Array.from({ length: 12 }, (_, i) => from + i * 5000) },
      { rule_id: 1, kind: KPI_ACK, times: [t(2)] },
      // rule 2, low: 5 annunciations 30 min apart, acked after 1, 2, 3 and 4 min, the last never
      { rule_id: 2, kind: 1, times: [t(30), t(60), t(90), t(120), t(150)] },
      { rule_id: 2, kind: KPI_ACK, times: [t(31), t(62), t(93), t(124)] },
      // rule 3: low for 2 annunciations, then made critical for 1, the three within 60 s
      { rule_id: 3, kind: 1, times: [t(200), t(200) + 20_000] },
      { rule_id: 3, kind: 4, times: [t(200) + 40_000] },
      // rule 4: acked, but never annunciated in the period
      { rule_id: 4, kind: KPI_ACK, times: [t(10)] },
    ];
    const f = kpiFigures(timelines, { from, to });
    expect(f).toEqual({
      annunciated: 20,
      per_hour: 5,
      peak_10min: 12,
      flood_percent: 4.17, // 1 window of 24
      by_severity: { low: 7, medium: 0, high: 12, critical: 1 },
      top: [
        { rule_id: 1, count: 12 },
        { rule_id: 2, count: 5 },
        { rule_id: 3, count: 3 },
      ],
      chattering: [
        { rule_id: 1, count: 12 },
        { rule_id: 3, count: 3 },
      ],
      // 12 waits of rule 1 (120 s down to 65 s) and rule 2's 60, 120, 180, 240 s
      ack_time_s: { p50: 95, p90: 180 },
    });
  });

  it('lists the 10 most frequent rules, ties by rule id, and null ack times when nothing was acked', () => {
    const timelines: KpiTimeline[] = Array.from({ length: 12 }, (_, i) => ({
      rule_id: 12 - i,
      kind: 2 as const,
      times: Array.from({ length: 1 + (i % 3) }, (_, k) => t(k * 10)),
    }));
    const f = kpiFigures(timelines, { from, to });
    expect(f.top.map((r) => r.rule_id)).toEqual([1, 4, 7, 10, 2, 5, 8, 11, 3, 6]);
    expect(f.ack_time_s).toEqual({ p50: null, p90: null });
    expect(f.chattering).toEqual([]);
  });

  it('answers zeros for a quiet period', () => {
    expect(kpiFigures([], { from, to })).toMatchObject({
      annunciated: 0,
      per_hour: 0,
      peak_10min: 0,
      flood_percent: 0,
      top: [],
      chattering: [],
    });
  });
});
