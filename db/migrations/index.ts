import type { Migration } from 'kysely';
import * as initial from './2026-11-22T0001-initial.js';
import * as alarmStates from './2026-11-22T0002-alarm-states.js';
import * as items from './2026-11-22T0003-items.js';
import * as eventsRuleBuckets from './2026-11-22T0004-events-rule-buckets.js';
import * as plcMaxInFlight from './2026-11-22T0005-plc-max-in-flight.js';
import * as tokenVersion from './2026-12-05T0006-token-version.js';
import * as canonicalZones from './2026-12-05T0007-canonical-zones.js';
import * as notifiers from './2026-12-05T0008-notifiers.js';
import * as alarmManagement from './2026-12-06T0009-alarm-management.js';
import * as kpis from './2026-12-06T0011-kpis.js';
import * as trends from './2026-12-06T0010-trends.js';
import * as notifierStatus from './2026-12-06T0012-notifier-status.js';

/**
 * Every migration, by name; names sort in the order they run. Listed here rather than
 * read from the folder so that the same code runs from source, from dist and under Bun.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22T0001-initial': initial,
  '2026-11-22T0002-alarm-states': alarmStates,
  '2026-11-22T0003-items': items,
  '2026-11-22T0004-events-rule-buckets': eventsRuleBuckets,
  '2026-11-22T0005-plc-max-in-flight': plcMaxInFlight,
  '2026-12-05T0006-token-version': tokenVersion,
  '2026-12-05T0007-canonical-zones': canonicalZones,
  '2026-12-05T0008-notifiers': notifiers,
  '2026-12-06T0009-alarm-management': alarmManagement,
  '2026-12-06T0011-kpis': kpis,
  '2026-12-06T0010-trends': trends,
  '2026-12-06T0012-notifier-status': notifierStatus,
};
