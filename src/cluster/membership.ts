import * as v from 'valibot';
import { sql } from 'kysely';
import type { Clock } from '../kernel/clock.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import { LEASE_CLASS } from './plc-leases.js';
import type { SuppressedRule } from '../alarms/alarm-events.js';

/** The `application_name` of a node's session: how the database tells which node holds what. */
export const sessionTag = (name: string) => `alarm-node:${name}`;
const TAG_PREFIX = sessionTag('');

/** A node writes its row this often... */
const HEARTBEAT_MS = 1_000;
/** A heartbeat unanswered this long counts as failed. */
const BEAT_ANSWER_MS = 3_000;
/** ...and counts as dead once its row is this old (SPEC 12: off the list within 15 s). */
export const NODE_TIMEOUT_S = 8;

/** A live node as `GET /api/cluster` lists it (SPEC 12). */
export const ClusterNode = v.strictObject({
  name: v.string(),
  started_at: v.string(),
  last_seen: v.string(),
  plc_ids: v.array(v.number()),
});
export type ClusterNode = v.InferOutput<typeof ClusterNode>;

/**
 * The cluster's members. Each node keeps a row in `cluster_nodes` fresh with its heartbeat
 * (times are the database's `now()`, so the nodes' clocks need not agree); a node whose
 * heartbeat fails cannot reach the database, and `/healthz` says so. Who polls what is not
 * written down anywhere: it is read from the lease locks themselves, and a node's session is
 * tagged with its name, so a dead node's PLCs leave the list the moment its connection does.
 */
export function createMembership(db: Db, nameOf: () => string, clock: Clock, log: Logger, suppressedHere: () => SuppressedRule[]) {
  let timer: unknown;
  let healthy = false;
  let stopped = true;
  let failing = false;
  let self = '';

  async function beat(): Promise<void> {
    let timer: unknown;
    try {
      // A heartbeat the database does not answer in time is a failed one (a network cut hangs it).
      const silent = new Promise<never>((_, reject) => {
        timer = clock.setTimer(clock.now() + BEAT_ANSWER_MS, () => reject(new Error(`no answer within ${BEAT_ANSWER_MS / 1000} s`)));
      });
      // The node's suppressed rules ride along: suppression is engine state, not a stored one.
      const suppressed = JSON.stringify(suppressedHere());
      await Promise.race([
        silent,
        db
          .insertInto('cluster_nodes')
          .values({ name: self, started_at: sql`now()`, last_seen: sql`now()`, suppressed })
          .onConflict((oc) => oc.column('name').doUpdateSet({ last_seen: sql`now()`, suppressed }))
          .execute(),
      ]);
      healthy = true;
      if (failing) log.info('cluster: the database is reachable again');
      failing = false;
    } catch (err) {
      healthy = false;
      if (!failing) log.error(`cluster: heartbeat failed: ${String(err)}`);
      failing = true;
    } finally {
      clock.clearTimer(timer);
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
      const [rows, leases] = await Promise.all([
        db
          .selectFrom('cluster_nodes')
          .select(['name', 'started_at', 'last_seen'])
          .where('last_seen', '>', sql<Date>`now() - make_interval(secs => ${NODE_TIMEOUT_S})`)
          .orderBy('name')
          .execute(),
        sql<{ node: string; plc_id: number }>`
          select substr(a.application_name, ${TAG_PREFIX.length + 1}) as node, l.objid::int as plc_id
          from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.classid = ${LEASE_CLASS} and l.objsubid = 2 and l.granted
            and a.application_name like ${`${TAG_PREFIX}%`}
          order by plc_id`.execute(db),
      ]);
      return rows.map((r) => ({
        name: r.name,
        started_at: new Date(r.started_at).toISOString(),
        last_seen: new Date(r.last_seen).toISOString(),
        plc_ids: leases.rows.filter((l) => l.node === r.name).map((l) => l.plc_id),
      }));
    },
    /** Every live node's suppressed rules, as of its last heartbeat (at most a second old). */
    async suppressed(): Promise<SuppressedRule[]> {
      const rows = await db
        .selectFrom('cluster_nodes')
        .select('suppressed')
        .where('last_seen', '>', sql<Date>`now() - make_interval(secs => ${NODE_TIMEOUT_S})`)
        .execute();
      return rows.flatMap((r) => JSON.parse(r.suppressed) as SuppressedRule[]).sort((a, b) => a.rule_id - b.rule_id);
    },
    /** Nodes with a session open now, this one included: a dead node stops counting at once. */
    async liveCount(): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        select count(distinct application_name)::int as n from pg_stat_activity
        where datname = current_database() and application_name like ${`${TAG_PREFIX}%`}`.execute(db);
      return Math.max(1, rows[0]?.n ?? 1);
    },
    /** Leaves the list at once (SIGTERM): the others need not wait for the row to age. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      await db
        .deleteFrom('cluster_nodes')
        .where('name', '=', self)
        .execute()
        .catch(() => {});
    },
  };
}

export type Membership = ReturnType<typeof createMembership>;
