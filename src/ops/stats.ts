import type { HubStats } from '../hub/hub-stats.js';
import type { Histogram } from './histogram.js';

/** One PLC's poll figures. */
export interface PollFigures {
  plc_id: number;
  reads: number;
  errors: number;
  last_latency_ms: number | null;
  avg_latency_ms: number | null;
}

/** Where the figures come from; each part of the server reports its own. */
export interface StatsSources {
  /** This server's node name (SPEC 12). */
  node(): string;
  hub: HubStats;
  poll(): PollFigures[];
  evaluations(): number;
  /** Latency histograms for /metrics (request duration, event delivery). */
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
