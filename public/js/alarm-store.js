/**
 * The active alarm list (SPEC 4) kept by the stream: a snapshot, then `alarm_state`,
 * `alarm_ack`, `alarm_shelved`, `alarm_unshelved` and rule changes. No DOM here.
 */

const STATE_RANK = { ALARM: 0, WARNING: 1, UNKNOWN: 2, OK: 3 };
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

/** Most urgent first: state, then severity, then the newest. */
export function byUrgency(a, b) {
  return (
    (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) ||
    (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
    Date.parse(b.since ?? 0) - Date.parse(a.since ?? 0) ||
    a.rule_id - b.rule_id
  );
}

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
          if (e.reason === 'deleted') {
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
          };
          put(alarm);
          const raised = e.state === 'ALARM' && e.previous_state !== 'ALARM';
          return raised ? { raised: alarm, shelved: Boolean(e.shelved) } : {};
        }
        case 'alarm_ack':
          if (old) put({ ...old, acked: true });
          return {};
        case 'alarm_shelved':
          if (old) put({ ...old, shelved_until: e.shelved_until ?? null });
          return {};
        case 'alarm_unshelved':
          if (old) put({ ...old, shelved_until: null });
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

    /** `{active, shelved}`, each most urgent first. */
    sorted(now = Date.now()) {
      const all = [...alarms.values()].sort(byUrgency);
      return { active: all.filter((a) => !isShelved(a, now)), shelved: all.filter((a) => isShelved(a, now)) };
    },
  };
}
