import type { Clock } from '../clock.js';
import { alarmStateWriter, listAlarmStates } from '../db/alarm-states.js';
import { listDatapoints } from '../db/datapoints.js';
import type { Db } from '../db/database.js';
import { listRules } from '../db/rules.js';
import { createEngine, type AlarmRecord, type CommandEvent, type Sample, type Transition } from '../engine/index.js';
import { AppError, notFound, unavailable } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log/logger.js';
import type { Rule } from '../plant/rule.js';
import { alarmBody, alarmStateEvent, byUrgency, commandEvent, type PointInfo } from './alarm-events.js';

/** Shelving is for a shift at most (SPEC 4). */
export const MAX_SHELVE_MS = 8 * 3_600_000;

const recordOf = (a: AlarmRecord): AlarmRecord => ({
  rule_id: a.rule_id,
  state: a.state,
  acked: a.acked,
  shelved_until: a.shelved_until,
  since: a.since,
  value: a.value,
});

/**
 * The alarm lifecycle around the pure engine: rules and saved states in at start-up, samples
 * in from the poller, and every transition and operator command journaled with the alarm's
 * new record in one transaction, before anyone is told.
 */
export function createAlarmService(db: Db, journal: Journal, clock: Clock, log: Logger) {
  let points = new Map<number, PointInfo>();
  const saveAlarmStates = alarmStateWriter(db);

  /** The records `ruleIds` have now, written in the transaction of their events. */
  function statesOf(ruleIds: number[]): () => void {
    const records: AlarmRecord[] = [];
    const gone: number[] = [];
    for (const id of ruleIds) {
      const view = engine.get(id);
      if (view) records.push(recordOf(view));
      else gone.push(id);
    }
    return () => saveAlarmStates(records, gone);
  }

  // The journal holds and retries a write the disk refused: these reject only for a write that can
  // never succeed (a bug) or at shutdown.
  function onTransitions(transitions: Transition[]) {
    const events = transitions.map((t) => alarmStateEvent(t, points.get(t.rule.datapoint_id)));
    journal.append(events, statesOf([...new Set(transitions.map((t) => t.rule_id))])).catch((err: unknown) =>
      log.error(`alarms: ${transitions.length} transition(s) not journaled: ${String(err)}`),
    );
  }

  function onCommand(c: CommandEvent) {
    journal.append([commandEvent(c, null, null)], statesOf([c.rule_id])).catch((err: unknown) =>
      log.error(`alarms: ${c.kind} of rule ${c.rule_id} not journaled: ${String(err)}`),
    );
  }

  // The engine tells each failure once, until the rule evaluates cleanly again.
  function onRuleError(ruleId: number, err: unknown) {
    log.error(`alarms: rule ${ruleId} cannot be evaluated, UNKNOWN until it can: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  const engine = createEngine({ clock, onTransitions, onCommand, onRuleError });

  /**
   * Journals an operator's command. The caller checked the journal before changing the engine; if
   * a failure holds this write back meanwhile, it is still journaled later, in order, but the
   * operator hears 503 now rather than wait for the disk.
   */
  async function journalCommand(c: CommandEvent, user: string, comment: string | null): Promise<void> {
    const outcome = await journal.appendOrHold([commandEvent(c, user, comment)], statesOf([c.rule_id]));
    if (outcome === 'committed') return;
    const health = journal.health();
    const reason = health.status === 'degraded' ? health.reason : 'write held';
    throw unavailable(`The journal cannot be written (${reason}); this ${c.kind} is held and will be journaled once it can`);
  }

  async function refreshPoints() {
    const datapoints = await listDatapoints(db);
    points = new Map(datapoints.map((d) => [d.id, { label: d.label, description: d.description, plc_id: d.plc_id }]));
  }

  const view = (ruleId: number) => {
    const a = engine.get(ruleId);
    return a && alarmBody(a, points.get(a.rule.datapoint_id));
  };

  return {
    /** Loads rules, datapoint labels and saved alarm states; call once before samples flow. */
    async start() {
      await refreshPoints();
      engine.load(await listRules(db), await listAlarmStates(db));
    },
    stop: () => engine.stop(),
    refreshPoints,

    ingest: (samples: readonly Sample[]) => engine.ingest(samples),
    ruleSaved: (rule: Rule) => engine.upsertRule(rule),
    ruleDeleted: (ruleId: number) => void engine.removeRule(ruleId),

    active(includeShelved: boolean) {
      return engine
        .active(includeShelved)
        .sort(byUrgency)
        .map((a) => alarmBody(a, points.get(a.rule.datapoint_id)));
    },

    /** Acknowledges; acking what needs no ack is a no-op that still answers with the alarm. 503 while the journal is degraded. */
    async ack(ruleId: number, user: string, comment: string | null) {
      journal.assertWritable(); // before the engine changes: a refused command leaves no trace
      const result = engine.ack(ruleId, clock.now());
      if (result.kind === 'not_found') throw notFound('alarm');
      if (result.kind === 'ack') await journalCommand(result, user, comment);
      return view(ruleId)!;
    },

    async shelve(ruleId: number, durationMs: number, user: string, comment: string | null) {
      if (durationMs > MAX_SHELVE_MS) throw new AppError('invalid_request', 'Invalid request', [{ path: 'duration_ms', message: 'at most 8 hours (28800000 ms)' }]);
      journal.assertWritable();
      const result = engine.shelve(ruleId, clock.now() + durationMs);
      if (result.kind === 'not_found') throw notFound('alarm');
      await journalCommand(result, user, comment);
      return view(ruleId)!;
    },

    async unshelve(ruleId: number, user: string) {
      journal.assertWritable();
      const result = engine.unshelve(ruleId);
      if (result.kind === 'not_found') throw notFound('alarm');
      if (result.kind === 'unshelved') await journalCommand(result, user, null);
      return view(ruleId)!;
    },

    /** The journal's health, for `/healthz`: alarms are only as good as their journal. */
    journalHealth: () => journal.health(),

    evaluations: () => engine.stats().evaluations,
  };
}

export type AlarmService = ReturnType<typeof createAlarmService>;
