import type { Migration } from 'kysely';
import * as initial from './2026-12-05T0001-initial.js';
import * as notifiers from './2026-12-05T0002-notifiers.js';
import * as alarmManagement from './2026-12-06T0003-alarm-management.js';
import * as kpis from './2026-12-06T0005-kpis.js';
import * as trends from './2026-12-06T0004-trends.js';
import * as clusterSuppressed from './2026-12-06T0006-cluster-suppressed.js';
import * as clusterNodesWithoutPlcIds from './2026-12-06T0007-cluster-nodes-without-plc-ids.js';
import * as notifierStatus from './2026-12-06T0008-notifier-status.js';

/**
 * Every PostgreSQL migration, by name; names sort in the order they run. Its own list: the
 * SQLite ones (../index.ts) use SQLite's dialect (AUTOINCREMENT, `collate nocase`, `id >> 12`).
 */
export const migrations: Record<string, Migration> = {
  '2026-12-05T0001-initial': initial,
  '2026-12-05T0002-notifiers': notifiers,
  '2026-12-06T0003-alarm-management': alarmManagement,
  '2026-12-06T0005-kpis': kpis,
  '2026-12-06T0004-trends': trends,
  '2026-12-06T0006-cluster-suppressed': clusterSuppressed,
  '2026-12-06T0007-cluster-nodes-without-plc-ids': clusterNodesWithoutPlcIds,
  '2026-12-06T0008-notifier-status': notifierStatus,
};
