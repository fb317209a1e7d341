import type { Clock } from '../kernel/clock.js';
import { listAlarmStates } from '../journal/alarm-states.js';
import { listDatapoints } from '../plant/datapoint-repository.js';
import type { Db } from '../db/database.js';
import { listRules } from '../plant/rule-repository.js';
import { createEngine, isActive, type AlarmRecord, type AlarmView, type CommandEvent, type Transition } from '../engine/index.js';
import type { Sample } from '../kernel/samples.js';
import { AppError, notFound, unavailable } from '../kernel/errors.js';
import type { Journal } from '../journal/journal.js';
import type { AlarmStateWrite } from '../journal/journal-store.js';
import type { Logger } from '../log/logger.js';
import type { LiveValue } from '../hub/hub.js';
import type { Rule } from '../plant/rule.js';
import {
  alarmBody,
  alarmStateEvent,
  byUrgency,
  commandEvent,
  outOfServiceBody,
  type AlarmBody,
  type PointInfo,
  type SuppressedRule,
} from './alarm-events.js';

/** Shelving is for a shift at most (SPEC 4). */
export const MAX_SHELVE_MS = 8 * 3_600_000;

/** The record alone, without the rule a view carries. */
const recordOf = ({ rule: _rule, ...record }: AlarmView): AlarmRecord => record;

/**
 * The alarm lifecycle around the pure engine: rules and saved states in at start-up, samples
 * in from the poller, and every transition and operator command journaled with the alarm's
 * new record in one transaction, before anyone is told.
 */
/**
 * Which PLCs' rules this node's engine runs: all of them on a single node; in a cluster, those
 * of the PLCs it holds (src/cluster), the other rules' states being read from the database.
 */
export type AlarmScope = { kind: 'all' } | { kind: 'plcs'; owns(plcId: number): boolean };

/**
 * `latestValue`: a datapoint's latest sample wherever it is polled. Pollers post changes only, so
 * a rule whose suppressing datapoint another node polls would otherwise wait for its next change.
 */
export function createAlarmService(
  db: Db,
  journal: Journal,
  clock: Clock,
  log: Logger,
  scope: AlarmScope = { kind: 'all' },
  latestValue: (datapointId: number) => Sample | undefined = () => undefined,
) {
  let points = new Map<number, PointInfo>();
  const inScope = (rule: Rule): boolean => {
    if (scope.kind === 'all') return true;
    const plcId = points.get(rule.datapoint_id)?.plc_id;
    return plcId !== undefined && scope.owns(plcId);
  };

  /** The records `ruleIds` have now, written in the transaction of their events. */
  function statesOf(ruleIds: number[]): AlarmStateWrite {
    const records: AlarmRecord[] = [];
    const gone: number[] = [];
    for (const id of ruleIds) {
      const view = engine.get(id);
      if (view) records.push(recordOf(view));
      else gone.push(id);
    }
    return { records, gone };
  }

  // The journal holds and retries a write the disk refused: these reject only for a write that can
  // never succeed (a bug) or at shutdown.
  function onTransitions(transitions: Transition[]) {
    const events = transitions.map((t) => alarmStateEvent(t, points.get(t.rule.datapoint_id)));
    journal
      .append(events, statesOf([...new Set(transitions.map((t) => t.rule_id))]))
      .catch((err: unknown) => log.error(`alarms: ${transitions.length} transition(s) not journaled: ${String(err)}`));
  }

  function onCommand(c: CommandEvent) {
    journal
      .append([commandEvent(c, null, null)], statesOf([c.rule_id]))
      .catch((err: unknown) => log.error(`alarms: ${c.kind} of rule ${c.rule_id} not journaled: ${String(err)}`));
  }

  // The engine tells each failure once, until the rule evaluates cleanly again.
  function onRuleError(ruleId: number, err: unknown) {
    log.error(
      `alarms: rule ${ruleId} cannot be evaluated, UNKNOWN until it can: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }

  const engine = createEngine({ clock, onTransitions, onCommand, onRuleError });

  /**
   * Journals an operator's command. The caller checked the journal before changing the engine; if
   * a failure holds this write back meanwhile, it is still journaled later, in order, but the
   * operator hears 503 now rather than wait for the disk.
   */
  async function journalCommand(c: CommandEvent, user: string, comment: string | null, transitions: Transition[] = []): Promise<void> {
    const events = [commandEvent(c, user, comment), ...transitions.map((t) => alarmStateEvent(t, points.get(t.rule.datapoint_id)))];
    const outcome = await journal.appendOrHold(events, statesOf([c.rule_id]));
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

  /**
   * PLCs whose rules are being loaded (takeOver) and the rule changes that came meanwhile: a
   * change read before the load's listing, but told before the PLC counts as this node's, would
   * otherwise be dropped here and missed there.
   */
  const adopting = new Set<number>();
  let deferred: Rule[] = [];

  function applyRule(rule: Rule): void {
    const plcId = points.get(rule.datapoint_id)?.plc_id;
    if (plcId !== undefined && adopting.has(plcId)) deferred.push(rule);
    else if (inScope(rule)) {
      engine.upsertRule(rule);
      seedSuppressors([rule]);
    } else engine.release(rule.id); // moved to a datapoint of a PLC another node polls
  }

  /** Suppressing datapoints the engine has no value of yet get their latest one. */
  function seedSuppressors(rules: readonly Rule[]): void {
    const samples: Sample[] = [];
    for (const rule of rules) {
      const id = rule.suppress_when?.datapoint_id;
      if (id === undefined || engine.lastValue(id) !== undefined) continue;
      const latest = latestValue(id);
      if (latest !== undefined) samples.push(latest);
    }
    if (samples.length > 0) engine.ingest(samples);
  }

  /** The states other nodes' engines keep, as they stored them; read once per change, when asked. */
  let stored: Promise<AlarmView[]> | null = null;
  /** Stored records joined with their rules: all of them, or those of `ruleIds`; records of rules gone are left out. */
  async function readStored(ruleIds?: readonly number[]): Promise<AlarmView[]> {
    const [rules, states] = await Promise.all([listRules(db, ruleIds && { ids: ruleIds }), listAlarmStates(db, ruleIds)]);
    const byId = new Map(rules.map((r) => [r.id, r]));
    return states.flatMap((record) => {
      const rule = byId.get(record.rule_id);
      return rule ? [{ ...record, rule }] : [];
    });
  }

  /** The rules this node's engine holds suppressed, with the state their own condition calls for. */
  const suppressedHere = (): SuppressedRule[] =>
    engine.suppressed().map((s) => ({ rule_id: s.alarm.rule_id, rule_name: s.alarm.rule.name, would_be: s.would_be }));
  let clusterSuppressed: (() => Promise<SuppressedRule[]>) | undefined;
  const storedViews = () => (stored ??= readStored().catch((err: unknown) => ((stored = null), Promise.reject(err))));

  return {
    /** Loads rules, datapoint labels and saved alarm states; call once before samples flow. */
    async start() {
      await refreshPoints();
      const rules = (await listRules(db)).filter(inScope);
      engine.load(rules, await listAlarmStates(db));
      seedSuppressors(rules);
    },
    stop: () => engine.stop(),
    refreshPoints,

    ingest: (samples: readonly Sample[]) => engine.ingest(samples),
    /** Values another node polls: only those that suppress rules this node runs (a pump on another PLC). */
    peerValues(values: readonly LiveValue[]): void {
      let samples: Sample[] | null = null;
      for (const v of values) {
        if (engine.watches(v.datapoint_id))
          (samples ??= []).push({ datapoint_id: v.datapoint_id, value: v.value, quality: v.quality, ts: Date.parse(v.ts) });
      }
      if (samples !== null) engine.ingest(samples);
    },
    ruleSaved(rule: Rule): void {
      if (points.has(rule.datapoint_id)) return applyRule(rule);
      // A datapoint created a moment ago, in a cluster: learn its PLC first.
      refreshPoints().then(
        () => applyRule(rule),
        (err: unknown) => log.error(`alarms: rule ${rule.id} not applied: ${String(err)}`),
      );
    },
    ruleDeleted: (ruleId: number) => void engine.removeRule(ruleId),

    /** Whether this node's engine runs the rule (always, on a single node, for a rule that exists). */
    owns: (ruleId: number) => engine.get(ruleId) !== undefined,

    /** Runs the rules of PLCs this node now holds, from the states their last owner stored. */
    async takeOver(plcIds: readonly number[]): Promise<void> {
      for (const id of plcIds) adopting.add(id);
      try {
        await refreshPoints();
        const taken = new Set(plcIds);
        const rules = (await listRules(db)).filter((r) => taken.has(points.get(r.datapoint_id)?.plc_id ?? -1));
        engine.adopt(rules, await listAlarmStates(db));
        seedSuppressors(rules);
      } finally {
        for (const id of plcIds) adopting.delete(id);
        stored = null;
      }
      // Changes told while loading, now on top of what the load found (a rule listed already is edited again, harmlessly).
      const late = deferred;
      deferred = [];
      for (const rule of late) applyRule(rule);
    },

    /** Stops running the rules of PLCs this node lets go (their states are stored already). */
    async handOver(plcIds: readonly number[]): Promise<void> {
      const given = new Set(plcIds);
      for (const rule of await listRules(db)) {
        if (given.has(points.get(rule.datapoint_id)?.plc_id ?? -1)) engine.release(rule.id);
      }
      stored = null;
    },

    /** In a cluster, something was journaled that may change what the database says is active. */
    forgetStored(): void {
      stored = null;
    },

    /** The rule's alarm as this node's engine runs it now; undefined for a rule it does not run. */
    alarmOf: (ruleId: number): AlarmBody | undefined => view(ruleId),

    /** Whether this node's engine runs the rule (in a cluster, other nodes run the rest). */
    runs: (ruleId: number): boolean => engine.has(ruleId),

    /** What a notifier asks of a rule this node runs, per event: less than its whole alarm. */
    ruleInfo(ruleId: number) {
      const a = engine.get(ruleId);
      return a && { name: a.rule.name, severity: a.rule.severity, plc_id: points.get(a.rule.datapoint_id)?.plc_id ?? null, state: a.state };
    },

    /** The alarms of these rules as stored (in a cluster, those other nodes run); rules gone or never evaluated are left out. */
    async storedAlarms(ruleIds: readonly number[]): Promise<AlarmBody[]> {
      return (await readStored(ruleIds)).map((a) => alarmBody(a, points.get(a.rule.datapoint_id)));
    },

    /** Alarms not OK or not acked, worst first (SPEC 4). */
    async active(includeShelved: boolean): Promise<AlarmBody[]> {
      let views: AlarmView[];
      if (scope.kind === 'all') views = engine.active(includeShelved);
      else views = (await storedViews()).filter((a) => isActive(a) && (includeShelved || a.shelved_until === null));
      return views.sort(byUrgency).map((a) => alarmBody(a, points.get(a.rule.datapoint_id)));
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
      if (durationMs > MAX_SHELVE_MS)
        throw new AppError('invalid_request', 'Invalid request', [{ path: 'duration_ms', message: 'at most 8 hours (28800000 ms)' }]);
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

    /** Takes a rule out of service (SPEC 13); again while out of service changes nothing. */
    async outOfService(ruleId: number, user: string, comment: string) {
      journal.assertWritable();
      const result = engine.outOfService(ruleId, { user, comment });
      if (result.kind === 'not_found') throw notFound('alarm');
      if (result.kind === 'out_of_service') await journalCommand(result, user, comment, result.transitions);
      return view(ruleId)!;
    },

    /** Returns a rule to service and evaluates it at once. */
    async returnToService(ruleId: number, user: string, comment: string | null) {
      journal.assertWritable();
      const result = engine.returnToService(ruleId, { user, comment });
      if (result.kind === 'not_found') throw notFound('alarm');
      if (result.kind === 'in_service') await journalCommand(result, user, comment, result.transitions);
      return view(ruleId)!;
    },

    /** Rules out of service, longest first; in a cluster, as stored. */
    async outOfServiceList() {
      const views = scope.kind === 'all' ? engine.outOfServiceList() : (await storedViews()).filter((a) => a.out_of_service !== null);
      return views.sort((a, b) => a.out_of_service!.since - b.out_of_service!.since).map(outOfServiceBody);
    },

    suppressedHere,

    /** Suppressed rules whose own condition would be active (SPEC 13); a cluster lists every node's. */
    async suppressed() {
      const all = scope.kind === 'all' || clusterSuppressed === undefined ? suppressedHere() : await clusterSuppressed();
      return all.filter((s) => s.would_be !== 'OK');
    },

    /** How many rules are shelved, out of service and suppressed now, for the KPIs. */
    async counts() {
      if (scope.kind === 'all' || clusterSuppressed === undefined) return engine.counts();
      // In a cluster the stored records say who is shelved or out of service, the heartbeats who is suppressed.
      const [views, suppressed] = await Promise.all([storedViews(), clusterSuppressed()]);
      return {
        // a shelf that ran out while its PLC had no owner to end it is over all the same
        shelved: views.filter((a) => a.shelved_until !== null && a.shelved_until > clock.now() && a.out_of_service === null).length,
        out_of_service: views.filter((a) => a.out_of_service !== null).length,
        suppressed: suppressed.length,
      };
    },

    /** In a cluster: where every node's suppressed rules are read (the cluster is built after this service). */
    listSuppressedWith(source: () => Promise<SuppressedRule[]>): void {
      clusterSuppressed = source;
    },

    /** The journal's health, for `/healthz`: alarms are only as good as their journal. */
    journalHealth: () => journal.health(),

    evaluations: () => engine.stats().evaluations,
  };
}

export type AlarmService = ReturnType<typeof createAlarmService>;
