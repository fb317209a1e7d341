import { hostname } from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { Clock } from '../kernel/clock.js';
import { pgPool, type Db } from '../db/database.js';
import { readEventsAfter, type JournalEvent } from '../journal/events.js';
import { listPlcs } from '../plant/plc-repository.js';
import { findRule } from '../plant/rule-repository.js';
import type { Hub, LiveValue } from '../hub/hub.js';
import type { Journal } from '../journal/journal.js';
import { JOURNAL_CHANNEL } from '../journal/postgres-journal-store.js';
import type { Logger } from '../log/logger.js';
import type { PlantChange } from '../plant/plant-context.js';
import { plantChangesOf } from '../plant/plant-changes.js';
import { COMMAND_CHANNEL, createCommandRelay, REPLY_CHANNEL } from './command-relay.js';
import { createJournalTail } from './journal-tail.js';
import { createMembership, sessionTag, type ClusterNode } from './membership.js';
import { createNodeSession } from './node-session.js';
import { createPlcLeases } from './plc-leases.js';
import { decodeValues, encodeValues } from './values-codec.js';
import type { LiveState } from '../plant/live-state.js';

/** A node stopping or starting says so here, so the others look at the leases at once. */
const MEMBERS_CHANNEL = 'alarm_members';
/** Live values of the PLCs a node polls, for the clients of every other node. */
const VALUES_CHANNEL = 'alarm_values';
/** How long a hand-over waits for the journal to store what is pending. */
const SETTLE_MS = 5_000;

/** The node's name (SPEC 12): NODE_NAME, or `<hostname>:<port>`. */
export const nodeName = (configured: string | undefined, port: number) => configured ?? `${hostname()}:${port}`;

export interface ClusterDeps {
  db: Db;
  /** NODE_NAME, if set. */
  configuredName: string | undefined;
  journal: Journal;
  hub: Hub;
  alarms: AlarmService;
  /** The latest values: other nodes' PLCs' too, for reads and suppressions on this node. */
  live: LiveState;
  /** Re-reads which PLCs to poll (after leases change). */
  reloadPoller(): Promise<void>;
  /** Plant changes any node made, its own included, in journal order. */
  plantChanged(changes: PlantChange[]): void;
  /** Items changed on some node: the due scheduler looks again. */
  itemsChanged(): void;
  /** Every event of the cluster, as the hub gets it (the notifiers wake on them). */
  published(events: JournalEvent[]): void;
  clock: Clock;
  log: Logger;
}

/**
 * One node of a cluster on PostgreSQL (SPEC 12), around the parts a single node has:
 * - every event of the journal, whoever wrote it, reaches this node's hub once, in id order
 *   (journal-tail.ts); plant changes and item changes are read back from it on every node;
 * - the node polls the PLCs whose lease it holds (plc-leases.ts), and its engine runs their rules;
 * - ack, shelve and unshelve go to the node that runs the rule (command-relay.ts);
 * - live values of its PLCs go to the other nodes over NOTIFY;
 * - it keeps its row in `cluster_nodes` fresh (membership.ts).
 */
export function createCluster(deps: ClusterDeps) {
  const { db, journal, hub, alarms, clock, log } = deps;
  /** Known once the node listens (PORT may be 0). */
  let name = deps.configuredName ?? '';
  const pool = pgPool(db);
  const notify = async (channel: string, payload: string) => void (await sql`select pg_notify(${channel}, ${payload})`.execute(db));

  const tail = createJournalTail({
    readAfter: (afterId, limit) => readEventsAfter(db, afterId, limit),
    publish(events: JournalEvent[]) {
      // First: the notifiers keep what was published to read it back, and must not miss a batch
      // because a stream listener threw on it.
      deps.published(events);
      hub.publish(events);
      const changes = plantChangesOf(events);
      if (changes.length > 0) deps.plantChanged(changes);
      if (events.some((e) => e.topic === 'alarms' || e.topic === 'config')) alarms.forgetStored();
      if (events.some((e) => e.topic === 'items')) deps.itemsChanged();
    },
    clock,
    log,
  });

  const relay = createCommandRelay({
    self: () => name,
    local: alarms,
    owns: alarms.owns,
    ruleExists: async (ruleId) => (await findRule(db, ruleId)) !== undefined,
    notify,
    clock,
    log,
  });

  const session = createNodeSession({
    newClient: () =>
      new pg.Client({ ...pool.options, application_name: sessionTag(name), keepAlive: true, keepAliveInitialDelayMillis: 1_000 }),
    channels: [JOURNAL_CHANNEL, COMMAND_CHANNEL, REPLY_CHANNEL, MEMBERS_CHANNEL, VALUES_CHANNEL],
    onNotify(channel, payload) {
      if (channel === JOURNAL_CHANNEL) tail.hint();
      else if (channel === MEMBERS_CHANNEL) leases.nudge();
      else if (channel === VALUES_CHANNEL) receivedValues(payload);
      else relay.received(channel, payload);
    },
    onUp() {
      tail.hint();
      leases.nudge();
    },
    onDown: () => leases.lost(),
    clock,
    log,
  });

  let polled = new Set<number>();
  /**
   * Ownership changes one at a time: a lease lost with the connection and taken again after the
   * reconnect must not have its rules released after they were adopted.
   */
  let changing: Promise<void> = Promise.resolve();
  const inTurn = (change: () => Promise<void>): Promise<void> => {
    const next = changing.then(change);
    changing = next.catch((err: unknown) => log.error(`cluster: changing the PLCs polled failed: ${String(err)}`));
    return next;
  };
  const stopPolling = async (ids: number[]) => {
    const gone = new Set(ids);
    polled = new Set([...polled].filter((id) => !gone.has(id)));
    await deps.reloadPoller();
    await alarms.handOver(ids);
  };
  /** What this node journaled for the PLCs it lets go, stored before the next owner reads it (bounded: the database may be gone). */
  const settled = async () => {
    let timer: unknown;
    await Promise.race([journal.idle(), new Promise<void>((resolve) => (timer = clock.setTimer(clock.now() + SETTLE_MS, resolve)))]);
    clock.clearTimer(timer);
  };

  const leases = createPlcLeases({
    session,
    plcIds: async () => (await listPlcs(db)).map((p) => p.id),
    liveNodes: () => membership.liveCount(),
    acquired: (ids) =>
      inTurn(async () => {
        // Its rules count as this node's from now: a rule change told during the load is kept for it.
        for (const id of ids) polled.add(id);
        await alarms.takeOver(ids);
        await deps.reloadPoller();
      }),
    releasing: (ids) =>
      inTurn(async () => {
        await stopPolling(ids);
        await settled();
      }),
    lost: (ids) => void inTurn(() => stopPolling(ids)),
    clock,
    log,
  });

  const membership = createMembership(
    db,
    () => name,
    clock,
    log,
    () => alarms.suppressedHere(),
  );

  function receivedValues(payload: string): void {
    try {
      if (payload.startsWith(`${name}\n`)) return; // our own
      const { values } = decodeValues(payload);
      hub.publishValues(values);
      for (const v of values) deps.live.setValue(v.datapoint_id, { value: v.value, quality: v.quality, ts: v.ts });
      alarms.peerValues(values);
    } catch (err) {
      log.error(`cluster: malformed values: ${String(err)}`);
    }
  }

  return {
    /** This node's name, once it has joined. */
    name: () => name,
    /** Whether this node polls the PLC now. */
    polls: (plcId: number) => polled.has(plcId),
    /** What this node's journal commits: handed to the hub in cluster order. */
    committed: (events: JournalEvent[]) => tail.offer(events),
    /** Ack, shelve and unshelve, wherever the rule runs. */
    commands: relay,
    /** This node's PLCs' values, for the other nodes' clients. */
    shareValues(values: LiveValue[]): void {
      for (const payload of encodeValues(name, values)) {
        notify(VALUES_CHANNEL, payload).catch((err: unknown) => log.error(`cluster: values not shared: ${String(err)}`));
      }
    },

    /** Publishes what the cluster journals after `fromId`; call before this node writes anything. */
    follow: (fromId: number) => tail.start(fromId),
    stopFollowing: () => tail.stop(),

    /** Joins once listening: takes its row in the list and a share of the PLCs. */
    async join(port: number): Promise<void> {
      name = nodeName(deps.configuredName, port);
      await membership.start();
      await session.start();
      leases.start();
      await notify(MEMBERS_CHANNEL, name).catch(() => {});
    },

    /** Leaves: hands its PLCs over (SIGTERM), then leaves the list and tells the others. */
    async leave(): Promise<void> {
      await leases.stop();
      await membership.stop();
      await notify(MEMBERS_CHANNEL, name).catch(() => {});
      await session.stop();
    },

    /** `/healthz`: the node can reach the database. */
    healthy: () => membership.healthy(),
    /** Suppressed rules on every node (SPEC 13), as their last heartbeats said. */
    suppressed: () => membership.suppressed(),

    /** `GET /api/cluster` (SPEC 12). */
    async describe(): Promise<{ self: string; nodes: ClusterNode[] }> {
      return { self: name, nodes: await membership.live() };
    },
  };
}

export type Cluster = ReturnType<typeof createCluster>;
