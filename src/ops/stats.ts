import * as v from 'valibot';
import type { SameType } from '../kernel/same-type.js';
import type { Histogram } from './histogram.js';

/** One PLC's poll figures. */
export interface PollFigures {
  plc_id: number;
  reads: number;
  errors: number;
  last_latency_ms: number | null;
  avg_latency_ms: number | null;
}

/** The streams' figures (the hub keeps them). */
export interface StreamFigures {
  readonly published: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly slowConsumerCloses: number;
  connectionsByTransport(): Record<'ws' | 'sse', number>;
  connectionsByUser(): Record<string, number>;
}

/** Where the figures come from; each part of the server reports its own. */
export interface StatsSources {
  /** This server's node name (SPEC 12). */
  node(): string;
  hub: StreamFigures;
  poll(): PollFigures[];
  evaluations(): number;
  /** Latency histograms for /metrics (request duration, event delivery, Modbus poll round trips). */
  histograms?(): Histogram[];
}

/** The `GET /api/stats` body (SPEC 9). */
export function collectStats(s: StatsSources) {
  return {
    node: s.node(),
    connections: { by_transport: s.hub.connectionsByTransport(), by_user: s.hub.connectionsByUser() },
    events: {
      published: s.hub.published,
      delivered: s.hub.delivered,
      dropped: s.hub.dropped,
      slow_consumer_closes: s.hub.slowConsumerCloses,
    },
    plcs: s.poll(),
    rules: { evaluations: s.evaluations() },
  };
}

export type Stats = ReturnType<typeof collectStats>;

const count = v.number();

/** The shape of `Stats`, for the API reference (the compiler holds the two together). */
export const StatsBody = v.strictObject({
  node: v.string(),
  connections: v.strictObject({
    by_transport: v.strictObject({ ws: count, sse: count }),
    by_user: v.record(v.string(), count),
  }),
  events: v.strictObject({ published: count, delivered: count, dropped: count, slow_consumer_closes: count }),
  plcs: v.array(
    v.strictObject({
      plc_id: v.number(),
      reads: count,
      errors: count,
      last_latency_ms: v.nullable(v.number()),
      avg_latency_ms: v.nullable(v.number()),
    }),
  ),
  rules: v.strictObject({ evaluations: count }),
});
true satisfies SameType<v.InferOutput<typeof StatsBody>, Stats>;
