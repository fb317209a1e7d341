/** What the counts read of a connection (the hub's Connection has it). */
interface Counted {
  readonly transport: { readonly kind: 'ws' | 'sse' };
  readonly user: { readonly username: string };
}

/** Counters for `/api/stats` and `/metrics`; connection counts are read off the live set. */
export function createHubStats(connections: ReadonlySet<Counted>) {
  return {
    published: 0,
    delivered: 0,
    dropped: 0,
    slowConsumerCloses: 0,
    connectionsByTransport(): Record<'ws' | 'sse', number> {
      const counts = { ws: 0, sse: 0 };
      for (const c of connections) counts[c.transport.kind] += 1;
      return counts;
    },
    connectionsByUser(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const c of connections) counts[c.user.username] = (counts[c.user.username] ?? 0) + 1;
      return counts;
    },
  };
}
