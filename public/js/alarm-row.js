/** One row of the live alarm table, built once and updated in place (buttons keep their focus). */
import { h, setText, show } from './dom.js';
import { formatDateTime, formatDuration, formatTime, formatValue } from './format.js';
import { alarmTrendButton } from './alarm-trend.js'; // trends: the value around the alarm, with its thresholds

const STATE_TEXT = { ALARM: 'ALARM', WARNING: 'WARNING', UNKNOWN: 'UNKNOWN', OK: 'NORMAL' };
const STATE_ICON = { ALARM: '▲', WARNING: '!', UNKNOWN: '?', OK: '✓' };

/**
 * `actions`, each optional: `{ack(alarm), shelve(alarm), unshelve(alarm)}` when the user may
 * acknowledge, `outOfService(alarm)` when they administer alarms; false for none.
 * Returns `{tr, update(alarm, datapoint, plc)}`.
 */
export function createAlarmRow(ruleId, actions) {
  const badge = h('span', { class: 'state-badge' });
  const escalated = h('span', { class: 'escalation-badge' });
  const stateNote = h('span', { class: 'state-note' });
  const severity = h('span', { class: 'severity' });
  const name = h('span', { class: 'alarm-name' });
  const point = h('span', { class: 'alarm-point' });
  const value = h('span', { class: 'alarm-value' });
  const since = h('time', { class: 'alarm-since' });
  const sinceFor = h('span', { class: 'muted alarm-for' });
  const ackText = h('span', { class: 'ack-text' });
  const shelvedText = h('span', { class: 'shelved-text muted' });

  const cells = [
    h('td', { class: 'col-state', dataset: { label: 'State' } }, h('div', { class: 'cell-stack' }, badge, stateNote, escalated)),
    h('td', { class: 'col-severity', dataset: { label: 'Severity' } }, severity),
    h('td', { class: 'col-alarm', dataset: { label: 'Alarm' } }, name, point),
    h(
      'td',
      { class: 'col-value num', dataset: { label: 'Value' } },
      value,
      alarmTrendButton(() => current),
    ),
    h('td', { class: 'col-since', dataset: { label: 'Since' } }, h('div', { class: 'cell-stack' }, since, sinceFor)),
    h('td', { class: 'col-ack', dataset: { label: 'Acknowledged' } }, h('div', { class: 'cell-stack' }, ackText, shelvedText)),
  ];
  let current;
  const buttons = {};
  if (actions) {
    const button = (label, kind, onClick) => {
      if (!onClick) return undefined;
      const b = h('button', { type: 'button', class: `button button--small ${kind}` }, label);
      b.addEventListener('click', () => onClick(current));
      return b;
    };
    buttons.ack = button('Acknowledge', 'button--primary', actions.ack);
    buttons.shelve = button('Shelve', 'button--quiet', actions.shelve);
    buttons.unshelve = button('Unshelve', 'button--quiet', actions.unshelve);
    buttons.outOfService = button('Take out of service', 'button--quiet', actions.outOfService);
    cells.push(
      h(
        'td',
        { class: 'col-actions', dataset: { label: 'Actions' } },
        h('div', { class: 'actions' }, buttons.ack, buttons.shelve, buttons.unshelve, buttons.outOfService),
      ),
    );
  }
  const tr = h('tr', { class: 'alarm-row', dataset: { ruleId: String(ruleId) } }, cells);

  function update(alarm, datapoint, plc) {
    current = alarm;
    const returned = alarm.state === 'OK';
    tr.dataset.state = alarm.state;
    tr.dataset.severity = alarm.severity;
    // Escalated (SPEC 13): left unacknowledged past its rule's escalate_after_s, once per level.
    const level = alarm.escalation ?? 0;
    tr.dataset.escalation = String(level);
    tr.classList.toggle('alarm-row--escalated', level > 0);
    setText(escalated, level > 0 ? `Escalated L${level}` : '');
    tr.dataset.acked = String(alarm.acked);
    setText(badge, `${STATE_ICON[alarm.state] ?? ''} ${STATE_TEXT[alarm.state] ?? alarm.state}`);
    badge.className = `state-badge state-badge--${alarm.state.toLowerCase()}`;
    setText(stateNote, returned ? 'returned to normal' : '');
    setText(severity, alarm.severity);
    severity.className = `severity severity--${alarm.severity}`;
    setText(name, alarm.rule_name);
    const description = datapoint?.description || alarm.datapoint_description || '';
    const label = datapoint?.label ?? alarm.datapoint_label ?? '';
    setText(point, [description, label, plc?.name].filter(Boolean).join(' · '));
    setText(value, alarm.state === 'UNKNOWN' && alarm.value === null ? 'no good value' : formatValue(alarm.value, datapoint?.unit ?? ''));
    since.dateTime = alarm.since ?? '';
    since.title = formatDateTime(alarm.since);
    setText(since, formatTime(alarm.since));
    tick();
    setText(ackText, alarm.acked ? 'Acknowledged' : 'Unacknowledged');
    ackText.className = alarm.acked ? 'ack-text ack-text--yes' : 'ack-text ack-text--no';
    setText(shelvedText, alarm.shelved_until ? `shelved until ${formatTime(alarm.shelved_until)}` : '');
    if (actions) {
      const focused = Object.values(buttons).find((b) => b && b === document.activeElement);
      const what = alarm.rule_name;
      const offer = (b, visible, name) => {
        if (!b) return;
        show(b, visible);
        b.setAttribute('aria-label', name);
      };
      offer(buttons.ack, !alarm.acked, `Acknowledge ${what}`);
      offer(buttons.shelve, !alarm.shelved_until, `Shelve ${what}`);
      offer(buttons.unshelve, Boolean(alarm.shelved_until), `Unshelve ${what}`);
      offer(buttons.outOfService, true, `Take ${what} out of service`);
      // A button that just hid (Acknowledge after the ack) hands the focus to one still shown.
      if (focused?.hidden)
        Object.values(buttons)
          .find((b) => b && !b.hidden)
          ?.focus();
    }
  }

  /** Refreshes "for 5 min". */
  function tick() {
    const ms = current?.since ? Date.now() - Date.parse(current.since) : NaN;
    setText(sinceFor, Number.isFinite(ms) ? `for ${formatDuration(ms)}` : '');
  }

  return { tr, update, tick };
}
