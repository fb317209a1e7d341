import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../log/logger.js';
import { planLeases } from './lease-plan.js';
import type { NodeSession } from './node-session.js';

/** The first key of every PLC lease (the second is the PLC id): an arbitrary constant of ours. */
export const LEASE_CLASS = 0x504c4331; // "PLC1"
/** How often a node looks at the leases (and sooner when nudged). */
export const LEASE_ROUND_MS = 1_000;

export interface PlcLeaseOptions {
  session: NodeSession;
  /** Every PLC id of the plant. */
  plcIds(): Promise<number[]>;
  /** How many nodes are live, this one included. */
  liveNodes(): Promise<number>;
  /** PLCs this node now holds: load their alarm states and poll them. */
  acquired(ids: number[]): Promise<void>;
  /** PLCs this node is about to let go: stop polling them and journal what is pending. */
  releasing(ids: number[]): Promise<void>;
  /** The session is gone and the locks with it: stop polling these at once. */
  lost(ids: number[]): void;
  clock: Clock;
  log: Logger;
}

/**
 * PLC ownership by session advisory lock: a node polls a PLC while its session holds the
 * PLC's lock. PostgreSQL grants a lock to one session at a time and drops it with the
 * session, so two live nodes never poll one PLC, and a dead node's PLCs are free as soon as
 * its connection is gone. Each round plans with planLeases() (src/cluster/lease-plan.ts).
 */
export function createPlcLeases(options: PlcLeaseOptions) {
  const { session, clock, log } = options;
  const held = new Set<number>();
  const freeRounds = new Map<number, number>();
  let timer: unknown;
  let running: Promise<void> = Promise.resolve();
  let stopped = true;
  let nudged = false;

  async function round(): Promise<void> {
    if (stopped || !session.connected) return;
    const [plcs, nodes, takenRows] = await Promise.all([
      options.plcIds(),
      options.liveNodes(),
      session.query<{ id: number; mine: boolean }>(
        `select objid::int as id, pid = pg_backend_pid() as mine from pg_locks
          where locktype = 'advisory' and classid = $1 and objsubid = 2 and granted`,
        [LEASE_CLASS],
      ),
    ]);
    // What we think we hold, checked against what our session holds: a lock that went with an
    // earlier session (a loss noticed late, or while a take-over was loading) is not ours.
    const mine = new Set(takenRows.filter((r) => r.mine).map((r) => r.id));
    forget([...held].filter((id) => !mine.has(id)));
    const taken = new Set(takenRows.map((r) => r.id));
    for (const id of plcs) freeRounds.set(id, taken.has(id) ? 0 : (freeRounds.get(id) ?? 0) + 1);
    for (const id of freeRounds.keys()) if (!plcs.includes(id)) freeRounds.delete(id);
    const plan = planLeases({ plcs, held, taken, nodes, freeRounds });

    if (plan.release.length > 0) await release(plan.release);
    const got: number[] = [];
    for (const id of plan.take) {
      const [row] = await session.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LEASE_CLASS, id]);
      if (row?.ok) held.add(id), got.push(id);
    }
    if (got.length > 0) {
      log.info(`cluster: now polling PLC ${got.join(', ')}`);
      await options.acquired(got);
      // The session may have gone while the take-over loaded: then these were lost already,
      // before acquired() started their polling. Stop it again.
      const gone = got.filter((id) => !held.has(id));
      if (gone.length > 0) options.lost(gone);
    }
  }

  /** PLCs whose lock is gone: stop polling them at once. */
  function forget(ids: number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) held.delete(id);
    log.error(`cluster: lost the leases of PLC ${ids.join(', ')} with the database connection`);
    options.lost(ids);
  }

  async function release(ids: number[]): Promise<void> {
    await options.releasing(ids);
    for (const id of ids) {
      held.delete(id);
      await session.query('select pg_advisory_unlock($1, $2)', [LEASE_CLASS, id]);
    }
    log.info(`cluster: handed PLC ${ids.join(', ')} over`);
  }

  /** Runs rounds one at a time; a nudge during a round asks for one more straight after. */
  function schedule(): void {
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
    running = running
      .then(round)
      .catch((err: unknown) => log.error(`cluster: lease round failed: ${String(err)}`))
      .finally(() => {
        if (stopped) return;
        const soon = nudged;
        nudged = false;
        timer = clock.setTimer(clock.now() + (soon ? 0 : LEASE_ROUND_MS), schedule);
      });
  }

  return {
    start(): void {
      stopped = false;
      schedule();
    },
    /** Something changed (a node left, PLCs were added): look again now rather than at the next round. */
    nudge(): void {
      if (stopped) return;
      nudged = true;
      if (timer !== undefined) schedule();
    },
    /** The session dropped: every lock is gone already. */
    lost(): void {
      forget([...held]);
    },
    held: (): number[] => [...held].sort((a, b) => a - b),
    /** Hands every PLC over (SIGTERM): stops polling, journals what is pending, then unlocks. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
      await running;
      if (held.size > 0 && session.connected)
        await release([...held]).catch((err: unknown) => log.error(`cluster: hand-over failed: ${String(err)}`));
    },
  };
}

export type PlcLeases = ReturnType<typeof createPlcLeases>;
