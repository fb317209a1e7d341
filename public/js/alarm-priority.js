/**
 * The order of the live list, highest priority first: severity (critical > high > medium > low),
 * then unacknowledged before acknowledged, then state (ALARM > UNKNOWN > WARNING > OK), then the
 * newest. Severity first because it is what the rule's author said matters most; a control room
 * works top down and must meet the critical ones first even when they are acknowledged.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'];
export const STATES = ['ALARM', 'UNKNOWN', 'WARNING', 'OK'];

const rank = (list, value) => {
  const i = list.indexOf(value);
  return i < 0 ? list.length : i;
};

const time = (iso) => (iso ? Date.parse(iso) || 0 : 0);

/** 0 for critical; an unknown severity sorts last. */
export const severityRank = (severity) => rank(SEVERITIES, severity);

/** Comparator for `Array.prototype.sort`. */
export function byPriority(a, b) {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    Number(a.acked) - Number(b.acked) ||
    rank(STATES, a.state) - rank(STATES, b.state) ||
    time(b.since) - time(a.since) ||
    a.rule_id - b.rule_id
  );
}
