/**
 * The active alarm list (SPEC 4, 13) kept by the stream: a snapshot, then `alarm_state`,
 * `alarm_ack`, `alarm_shelved`, `alarm_unshelved`, `alarm_escalated`, `alarm_out_of_service`
 * and rule changes. No DOM here.
 */
import { byPriority } from './alarm-priority.js';

/** Listed while not OK or not acknowledged (a return to normal waits for its ack). */
const isActive = (a) => a.state !== 'OK' || !a.acked;

export const isShelved = (a, now = Date.now()) => a.shelved_until !== null && Date.parse(a.shelved_until) > now;

export function createAlarmStore() {
  const alarms = new Map();

  function put(alarm) {
    if (isActive(alarm)) alarms.set(alarm.rule_id, alarm);
    else alarms.delete(alarm.rule_id);
  }

  return {
    alarms,

    /** Replaces the list (a snapshot). */
    reset(active) {
      alarms.clear();
      for (const a of active) put({ ...a });
    },

    /** Adds alarms the list does not have yet (the shelved ones a snapshot leaves out). */
    addMissing(list) {
      for (const a of list) if (!alarms.has(a.rule_id)) put({ ...a });
    },

    /**
     * Applies one journaled event; returns `{raised}` when an alarm has just entered ALARM
     * (for the sound, the notification and the announcement), else `{}`.
     */
    apply(e) {
      const old = alarms.get(e.rule_id);
      switch (e.type) {
        case 'alarm_state': {
          // Out of service: not evaluated and off the active list, even when it was unacknowledged.
          if (e.reason === 'deleted' || e.reason === 'out_of_service') {
            alarms.delete(e.rule_id);
            return {};
          }
          const alarm = {
            ...old,
            rule_id: e.rule_id,
            rule_name: e.rule_name,
            datapoint_id: e.datapoint_id,
            datapoint_label: e.datapoint_label,
            datapoint_description: old?.datapoint_description ?? null,
            plc_id: e.plc_id,
            state: e.state,
            severity: e.severity,
            value: e.value,
            since: e.since ?? e.ts,
            acked: e.acked,
            shelved_until: e.shelved ? (old?.shelved_until ?? null) : null,
            escalation: e.escalation ?? old?.escalation ?? 0,
          };
          put(alarm);
          const raised = e.state === 'ALARM' && e.previous_state !== 'ALARM';
          return raised ? { raised: alarm, shelved: Boolean(e.shelved) } : {};
        }
        case 'alarm_ack':
          if (old) put({ ...old, acked: true, escalation: 0 }); // an acknowledged alarm no longer escalates (SPEC 13)
          return {};
        case 'alarm_shelved':
          if (old) put({ ...old, shelved_until: e.shelved_until ?? null });
          return {};
        case 'alarm_unshelved':
          if (old) put({ ...old, shelved_until: null });
          return {};
        case 'alarm_escalated':
          if (old) put({ ...old, escalation: e.level });
          return {};
        case 'alarm_out_of_service':
          alarms.delete(e.rule_id);
          return {};
        case 'rule_updated':
          if (e.rule && alarms.has(e.rule.id)) put({ ...alarms.get(e.rule.id), rule_name: e.rule.name, severity: e.rule.severity });
          return {};
        case 'rule_deleted':
          if (e.rule) alarms.delete(e.rule.id);
          return {};
        default:
          return {};
      }
    },

    /** `{active, shelved}`, each highest priority first. */
    sorted(now = Date.now()) {
      const all = [...alarms.values()].sort(byPriority);
      return { active: all.filter((a) => !isShelved(a, now)), shelved: all.filter((a) => isShelved(a, now)) };
    },
  };
}
