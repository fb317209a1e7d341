/**
 * The message both servers send: an `alarm_state` event with the fields SPEC 5 lists, about
 * 430 bytes of JSON. Its first payload field, `bench`, is "run:batch:sent_at" so the client process can
 * attribute a message to its batch with one byte search instead of a JSON.parse.
 */

export const BENCH_MARK = '"bench":"';

const severities = ['low', 'medium', 'high', 'critical'] as const;

/** The payload of the `i`-th event, as the alarm service would journal it. */
export function alarmPayload(i: number, run: number, batch: number, sentAt: number): Record<string, unknown> {
  const ruleId = (i % 500) + 1;
  const value = 95 + ((i * 7) % 100) / 10;
  return {
    bench: `${run}:${batch}:${sentAt.toFixed(3)}`,
    rule_id: ruleId,
    rule_name: `TT-${100 + ruleId} high`,
    datapoint_id: ruleId,
    datapoint_label: `TT-${100 + ruleId}`,
    plc_id: (ruleId % 8) + 1,
    state: 'ALARM',
    previous_state: 'WARNING',
    severity: severities[ruleId % 4],
    comparison: 'above',
    value,
    warning_threshold: 85,
    alarm_threshold: 95,
    acked: false,
    shelved: false,
    reason: 'value',
    message: `Rule TT-${100 + ruleId} high -> ALARM`,
  };
}

/** The event body as the hub serializes it (SPEC 5: id, topic, type, ts, then the payload). */
export function alarmEventJson(id: number, payload: Record<string, unknown>): string {
  return JSON.stringify({ id, topic: 'alarms', type: 'alarm_state', ts: new Date().toISOString(), ...payload });
}
