import { eventBody, type JournalEvent } from '../journal/events.js';
import type { Severity } from '../kernel/enums.js';
import type { Digest } from './storm-guard.js';

/** What a notifier needs to know of a rule that an event does not carry (`alarm_ack` has no severity or plc). */
export interface RuleInfo {
  name: string;
  severity: Severity;
  plc_id: number | null;
  /** Its current alarm state, for a digest whose minute had no `alarm_state`. */
  state: string | null;
}

/** Looks a rule up; undefined once it is deleted. */
export type RuleLookup = (ruleId: number) => RuleInfo | undefined;

/** One message to a notifier, serialized once: every attempt sends the same bytes. */
export interface Outgoing {
  /** `x-alarm-event-id`: the journal id, `digest-<first_id>-<last_id>` or `test-<ms>`. */
  key: string;
  type: string;
  rule_id: number | null;
  plc_id: number | null;
  json: string;
  /** When it came to be (event ts, digest minute end): retries stop 24 h later. */
  born_ms: number;
  /** The journal id it stands for (a digest: its last_id); null for a test. */
  event_id: number | null;
}

/** What every notifier derives from an event, once while the event object lives: its bytes and time. */
interface Derived {
  json: string | undefined;
  ms: number;
}
const derived = new WeakMap<JournalEvent, Derived>();

function derivedOf(e: JournalEvent): Derived {
  let d = derived.get(e);
  if (d === undefined) derived.set(e, (d = { json: undefined, ms: Date.parse(e.ts) }));
  return d;
}

/** The event's `ts` in ms. */
export const eventTimeMs = (e: JournalEvent): number => derivedOf(e).ms;

function jsonOf(e: JournalEvent): string {
  const d = derivedOf(e);
  d.json ??= JSON.stringify(eventBody(e));
  return d.json;
}

/** An event as the streams send it (SPEC 5). */
export function eventMessage(e: JournalEvent, rules?: RuleLookup): Outgoing {
  return {
    key: String(e.id),
    type: e.type,
    rule_id: e.rule_id,
    plc_id: typeof e.payload.plc_id === 'number' ? e.payload.plc_id : e.rule_id === null ? null : (rules?.(e.rule_id)?.plc_id ?? null),
    json: jsonOf(e),
    born_ms: eventTimeMs(e),
    event_id: e.id,
  };
}

/** `alarm_digest {rule_id, rule_name, count, first_id, last_id, state}` (SPEC 14), stamped with its minute's end. */
export function digestMessage(d: Digest, rules?: RuleLookup): Outgoing {
  const info = rules?.(d.rule_id);
  const body = {
    topic: 'alarms',
    type: 'alarm_digest',
    ts: new Date(d.minute_end_ms).toISOString(),
    rule_id: d.rule_id,
    rule_name: d.rule_name ?? info?.name ?? null,
    count: d.count,
    first_id: d.first_id,
    last_id: d.last_id,
    state: d.state ?? info?.state ?? null,
  };
  return {
    key: `digest-${d.first_id}-${d.last_id}`,
    type: body.type,
    rule_id: d.rule_id,
    plc_id: info?.plc_id ?? null,
    json: JSON.stringify(body),
    born_ms: d.minute_end_ms,
    event_id: d.last_id,
  };
}

/** The message of `POST /api/notifiers/{id}/test`. */
export function testMessage(notifier: { id: number; name: string }, nowMs: number): Outgoing {
  const body = {
    topic: 'alarms',
    type: 'notifier_test',
    ts: new Date(nowMs).toISOString(),
    notifier_id: notifier.id,
    message: `Test message from notifier ${notifier.name}`,
  };
  return { key: `test-${nowMs}`, type: body.type, rule_id: null, plc_id: null, json: JSON.stringify(body), born_ms: nowMs, event_id: null };
}
