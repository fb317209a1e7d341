import type { AlarmBody } from '../alarms/alarm-events.js';
import type { JournalEvent } from '../journal/events.js';
import type { RuleInfo } from './outgoing.js';

/** The slice of the alarm service the directory reads. */
export interface AlarmSource {
  /** The rule's alarm as this node's engine runs it, now. */
  alarmOf(ruleId: number): AlarmBody | undefined;
  /** Whether this node's engine runs the rule. */
  runs(ruleId: number): boolean;
  /** The rule as this node's engine runs it, now: cheaper than its alarm, for every event. */
  ruleInfo(ruleId: number): RuleInfo | undefined;
  /** The stored alarms of rules this node's engine does not run (in a cluster: other nodes' PLCs). */
  storedAlarms(ruleIds: readonly number[]): Promise<AlarmBody[]>;
}

/**
 * The delivery loop asks about rules synchronously (RuleLookup, currentAlarm). The engine answers
 * for the rules it runs; for the others (a cluster node runs only its own PLCs' rules) the
 * stored alarms are read once per page of events, before the page is handed to the loop: the
 * state they hold is at least as new as the page's events (stored in the same transaction).
 */
export function createRuleDirectory(alarms: AlarmSource) {
  /** stored alarms of rules the engine does not run, as of the last page that named them */
  const stored = new Map<number, AlarmBody>();

  const alarmOf = (ruleId: number) => alarms.alarmOf(ruleId) ?? stored.get(ruleId);

  return {
    /** Reads what the engine cannot tell about the rules of these events. */
    async prepare(events: readonly JournalEvent[]): Promise<void> {
      const ids = new Set<number>();
      for (const e of events) {
        const id = e.rule_id;
        if (id !== null && e.topic === 'alarms' && !alarms.runs(id)) ids.add(id);
      }
      if (ids.size === 0) return;
      const found = new Map((await alarms.storedAlarms([...ids])).map((a) => [a.rule_id, a]));
      for (const id of ids) {
        const alarm = found.get(id);
        if (alarm) stored.set(id, alarm);
        else stored.delete(id); // gone
      }
    },
    rules(ruleId: number): RuleInfo | undefined {
      const info = alarms.ruleInfo(ruleId);
      if (info) return info;
      const a = stored.get(ruleId);
      return a && { name: a.rule_name, severity: a.severity, plc_id: a.plc_id, state: a.state };
    },
    /** The rule's current alarm (MQTT's retained state); null once it is gone. */
    currentAlarm: (ruleId: number): AlarmBody | null => alarmOf(ruleId) ?? null,
  };
}

export type RuleDirectory = ReturnType<typeof createRuleDirectory>;
