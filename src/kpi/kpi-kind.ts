import { SEVERITIES, type AlarmState, type Severity } from '../kernel/enums.js';

/** An `alarm_ack`'s kind. */
export const KPI_ACK = 0;
/** An annunciation's kind: its severity's rank, 1 (low) to 4 (critical). */
export type AnnunciationKind = 1 | 2 | 3 | 4;

/**
 * What an event is to the KPIs (SPEC 13), decided once as it is journaled and stored beside it
 * (`events.kpi_kind`, `events.kpi_ms`), so that KPIs read a narrow index instead of parsing
 * every payload of the period. Events of no other kind count; their `kpi_kind` is null.
 */
export type KpiKind = typeof KPI_ACK | AnnunciationKind;

/** The severity of an annunciation's kind: 1 + its index in SEVERITIES, least urgent first. */
export const severityOfKind = (kind: AnnunciationKind): Severity => SEVERITIES[kind - 1]!;

const ANNUNCIATED_STATES: ReadonlySet<unknown> = new Set<AlarmState>(['WARNING', 'ALARM', 'UNKNOWN']);

/**
 * An annunciation is an `alarm_state` from OK into WARNING, ALARM or UNKNOWN of a rule that is
 * not shelved. Suppressed and out-of-service rules stay at OK, so they never get here; WARNING
 * -> ALARM is the same alarm getting worse, not a new one.
 */
export function kpiKindOf(type: string, payload: Readonly<Record<string, unknown>>): KpiKind | null {
  if (type === 'alarm_ack') return KPI_ACK;
  if (type !== 'alarm_state' || payload['previous_state'] !== 'OK' || payload['shelved'] === true) return null;
  if (!ANNUNCIATED_STATES.has(payload['state'])) return null;
  const rank = SEVERITIES.indexOf(payload['severity'] as Severity);
  // Every rule has one of the four (the API validates it); an event without one is not a rule's.
  return rank < 0 ? null : ((rank + 1) as AnnunciationKind);
}

/** `kpi_ms`: the journal's `ts` in ms; null for a `ts` that is no time (tests journal `'ts'`), never a failed append. */
export function kpiTimeOf(ts: string): number | null {
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? ms : null;
}
