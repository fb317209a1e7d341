/**
 * An alarm's trend on the live page: its datapoint's values from half an hour before the alarm's
 * last change to half an hour after (or now), with the rule's warning and alarm thresholds.
 */
import { get } from './api.js';
import { h } from './dom.js';
import { openTrendDialog } from './trend-dialog.js';

const AROUND_MS = 30 * 60_000;

/** A small "Trend" button for an alarm's row; `current()` is the row's alarm now. */
export function alarmTrendButton(current) {
  const button = h('button', { type: 'button', class: 'button button--small button--quiet trend-open' }, 'Trend');
  // Named when reached rather than on every update: the row's alarm changes under it.
  button.addEventListener('focus', () => button.setAttribute('aria-label', `Trend of ${current().rule_name}`));
  button.addEventListener('click', () => openAlarmTrend(current()));
  return button;
}

export function openAlarmTrend(alarm) {
  const now = Date.now();
  const at = Math.min(now, Date.parse(alarm.since) || now);
  const from = at - AROUND_MS;
  const to = Math.max(at + 60_000, Math.min(now, at + AROUND_MS));
  const overlay = Promise.all([get(`/api/rules/${alarm.rule_id}`), get(`/api/datapoints/${alarm.datapoint_id}`)]).then(([rule, point]) => ({
    unit: point.unit,
    thresholds: [
      { label: 'Warning', value: rule.warning_threshold, kind: 'warning' },
      { label: 'Alarm', value: rule.alarm_threshold, kind: 'alarm' },
    ],
  }));
  openTrendDialog({
    datapoint: { id: alarm.datapoint_id, label: alarm.datapoint_label, description: alarm.datapoint_description },
    title: `Trend of ${alarm.rule_name}`,
    window: {
      from,
      to,
      note: `Half an hour before the alarm's last change (dotted line) to ${to >= now ? 'now' : 'half an hour after'}, with the rule's thresholds (dashed).`,
    },
    overlay,
    marker: at,
  });
}
