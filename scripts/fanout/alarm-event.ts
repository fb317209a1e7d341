/**
 * The message the floor sends: an `alarm_state` event shaped like the one the app's engine
 * journals for the same register change (SPEC 5 fields plus `since`), so both servers send
 * about the same bytes per client.
 */

/** The payload for register `address` going high (ALARM) or low (OK), as the engine writes it. */
export function alarmPayload(address: number, high: boolean, value: number): Record<string, unknown> {
  const label = `LT-${address}`;
  const state = high ? 'ALARM' : 'OK';
  return {
    rule_id: address + 1,
    rule_name: `${label} high`,
    datapoint_id: address + 1,
    datapoint_label: label,
    plc_id: 1,
    state,
    previous_state: high ? 'OK' : 'ALARM',
    severity: 'medium',
    comparison: 'above',
    value,
    warning_threshold: null,
    alarm_threshold: 50,
    acked: !high,
    shelved: false,
    reason: 'value',
    since: new Date().toISOString(),
    message: `Rule ${label} high -> ${state}`,
  };
}

/** The event body as the hub serializes it (SPEC 5: id, topic, type, ts, then the payload). */
export function alarmEventJson(id: number, payload: Record<string, unknown>): string {
  return JSON.stringify({ id, topic: 'alarms', type: 'alarm_state', ts: new Date().toISOString(), ...payload });
}
