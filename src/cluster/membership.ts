import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log/logger.js';

/** A node writes its row this often... */
const HEARTBEAT_MS = 1_000;
/** ...and counts as dead once its row is this old (SPEC 12: off the list within 15 s). */
export const NODE_TIMEOUT_S = 8;

/** A live node as `GET /api/cluster` lists it (SPEC 12). */
export interface ClusterNode {
  name: string;
  started_at: string;
  last_seen: string;
  plc_ids: number[];
}

/**
 * The cluster's members: each node keeps a row in `cluster_nodes` fresh with its heartbeat and
 * the PLCs it polls. Times are the database's (`now()`), so the nodes' clocks need not agree.
 * A node whose heartbeat fails cannot reach the database: `/healthz` says so.
 */
export function createMembership(db: Db, nameOf: () => string, plcIds: () => number[], clock: Clock, log: Logger) {
  let timer: unknown;
  let healthy = false;
  let stopped = true;
  let failing = false;
  let self = '';

  async function beat(): Promise<void> {
    try {
      await db
        .insertInto('cluster_nodes')
        .values({ name: self, started_at: sql`now()`, last_seen: sql`now()`, plc_ids: JSON.stringify(plcIds()) })
        .onConflict((oc) => oc.column('name').doUpdateSet({ last_seen: sql`now()`, plc_ids: JSON.stringify(plcIds()) }))
        .execute();
      healthy = true;
      if (failing) log.info('cluster: the database is reachable again');
      failing = false;
    } catch (err) {
      healthy = false;
      if (!failing) log.error(`cluster: heartbeat failed: ${String(err)}`);
      failing = true;
    }
  }

  function next(): void {
    timer = clock.setTimer(clock.now() + HEARTBEAT_MS, () => {
      if (!stopped) void beat().finally(() => !stopped && next());
    });
  }

  return {
    async start(): Promise<void> {
      stopped = false;
      self = nameOf();
      // A node restarted under the same name starts afresh.
      await db.deleteFrom('cluster_nodes').where('name', '=', self).execute();
      await beat();
      next();
    },
    /** False while the last heartbeat failed. */
    healthy: () => healthy,
    async live(): Promise<ClusterNode[]> {
      const rows = await db
        .selectFrom('cluster_nodes')
        .select(['name', 'started_at', 'last_seen', 'plc_ids'])
        .where('last_seen', '>', sql<Date>`now() - make_interval(secs => ${NODE_TIMEOUT_S})`)
        .orderBy('name')
        .execute();
      return rows.map((r) => ({
        name: r.name,
        started_at: new Date(r.started_at).toISOString(),
        last_seen: new Date(r.last_seen).toISOString(),
        plc_ids: JSON.parse(r.plc_ids) as number[],
      }));
    },
    async liveCount(): Promise<number> {
      const row = await db
        .selectFrom('cluster_nodes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('last_seen', '>', sql<Date>`now() - make_interval(secs => ${NODE_TIMEOUT_S})`)
        .executeTakeFirstOrThrow();
      return Math.max(1, Number(row.n));
    },
    /** Leaves the list at once (SIGTERM): the others need not wait for the row to age. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      await db.deleteFrom('cluster_nodes').where('name', '=', self).execute().catch(() => {});
    },
  };
}

export type Membership = ReturnType<typeof createMembership>;
