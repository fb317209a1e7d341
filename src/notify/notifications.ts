import pg from 'pg';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { Clock } from '../kernel/clock.js';
import { dialectOf, pgPool, type Db } from '../db/database.js';
import type { JournalEvent } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log/logger.js';
import { createNotifierFleet } from './notifier-fleet.js';
import { advisoryLeases, soleLeases } from './notifier-leases.js';
import { notifierService } from './notifier-service.js';
import { createRuleDirectory } from './rule-directory.js';

export interface NotificationsOptions {
  db: Db;
  journal: Journal;
  alarms: Pick<AlarmService, 'alarmOf' | 'runs' | 'ruleInfo' | 'storedAlarms'>;
  clock: Clock;
  log: Logger;
  random?: () => number;
}

/**
 * Notifications as the app runs them (SPEC 14): the notifiers' REST service, and the fleet of
 * delivery loops, each notifier driven by one node (every one on SQLite; on PostgreSQL the
 * node holding its advisory lock). Start it once the alarm service is loaded; hand it every
 * event the node publishes; stop it before the journal is flushed.
 */
export function createNotifications(o: NotificationsOptions) {
  const clustered = dialectOf(o.db) === 'postgres';
  const directory = createRuleDirectory(o.alarms);
  const leases = clustered
    ? advisoryLeases({
        newClient: () => new pg.Client(pgPool(o.db).options),
        up: () => fleet.nudge(),
        lost: () => fleet.lost(),
        clock: o.clock,
        log: o.log,
      })
    : soleLeases();
  const fleet = createNotifierFleet({ db: o.db, leases, directory, clock: o.clock, log: o.log, random: o.random ?? Math.random });
  const service = notifierService({
    db: o.db,
    journal: o.journal,
    fleet,
    currentAlarm: directory.currentAlarm,
    clock: o.clock,
    log: o.log,
    clustered,
  });

  return {
    service,
    start: () => fleet.start(),
    /** Events this node publishes (its own commits; in a cluster, every node's): wakes the loops. */
    committed: (events: JournalEvent[]) => fleet.committed(events),
    /** Runs an edit of one notifier with its loop stopped (a plant file's import, src/config-io). */
    whileStopped: fleet.whileStopped,
    stop: () => fleet.stop(),
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
