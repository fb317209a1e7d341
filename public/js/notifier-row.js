/** A notifier's row: where it sends, what, and its live delivery status (SPEC 14). */
import { fill, h, setText } from './dom.js';
import { formatDateTime, formatTime } from './format.js';

const KIND_TEXT = { webhook: 'Webhook', mqtt: 'MQTT' };

/** The delivery state in words, and the badge it wears. */
const STATE = {
  idle: ['Up to date', 'connected'],
  sending: ['Sending', 'connected'],
  backing_off: ['Retrying', 'disconnected'],
  starting: ['Starting', 'disabled'],
  stopped: ['Stopped', 'disabled'],
  disabled: ['Disabled', 'disabled'],
  other_node: ['On another node', 'disabled'],
};

/** `actions`: `{test(n), toggle(n), remove(n)}`. Returns `{tr, update(n)}`. */
export function createNotifierRow(actions) {
  const c = {
    name: h('td', { class: 'col-name', dataset: { label: 'Name' } }),
    target: h('td', { dataset: { label: 'Sends to' } }),
    what: h('td', { dataset: { label: 'Sends' } }),
    delivery: h('td', { dataset: { label: 'Delivery' } }),
    enabled: h('td', { dataset: { label: 'Enabled' } }),
  };
  const test = h('button', { type: 'button', class: 'button button--small' }, 'Send test');
  const toggle = h('button', { type: 'button', class: 'button button--small button--quiet' });
  const remove = h('button', { type: 'button', class: 'button button--small button--danger-quiet' }, 'Delete');
  const tr = h(
    'tr',
    {},
    Object.values(c),
    h('td', { dataset: { label: 'Actions' } }, h('div', { class: 'actions' }, test, toggle, remove)),
  );
  let current;
  test.addEventListener('click', () => actions.test(current, test));
  toggle.addEventListener('click', () => actions.toggle(current));
  remove.addEventListener('click', () => actions.remove(current));

  return {
    tr,
    update(n) {
      current = n;
      tr.dataset.notifierId = String(n.id);
      tr.classList.toggle('row--disabled', !n.enabled);
      setText(c.name, n.name);
      const topic = n.kind === 'mqtt' ? ` · topic ${n.mqtt_topic}` : '';
      fill(c.target, KIND_TEXT[n.kind] ?? n.kind, h('span', { class: 'notifier-target' }, `${n.url}${topic}`));
      fill(
        c.what,
        `${n.min_severity} and up`,
        h('span', { class: 'notifier-target' }, `${n.events.join(', ')}; at most ${n.max_per_rule_per_min} per rule a minute`),
      );
      const s = n.status ?? {};
      const [text, badge] = STATE[s.state] ?? [s.state ?? '—', 'disabled'];
      const figures = [`${s.delivered ?? 0} delivered`, `${s.pending ?? 0} pending`, `${s.failed_attempts ?? 0} failed attempts`];
      if (s.abandoned) figures.push(`${s.abandoned} given up`);
      fill(
        c.delivery,
        h('span', { class: `conn-badge conn-badge--${badge}`, dataset: { state: s.state ?? '' } }, text),
        h('span', { class: 'notifier-figures' }, figures.join(' · ')),
        s.last_error ? h('span', { class: 'conn-error', title: formatDateTime(s.last_error_at) }, s.last_error) : null,
        s.last_delivered_at
          ? h(
              'span',
              { class: 'muted conn-seen', title: formatDateTime(s.last_delivered_at) },
              `last delivered ${formatTime(s.last_delivered_at)}`,
            )
          : null,
      );
      fill(c.enabled, h('span', { class: n.enabled ? 'pill pill--on' : 'pill pill--off' }, n.enabled ? 'Enabled' : 'Disabled'));
      setText(toggle, n.enabled ? 'Disable' : 'Enable');
      test.setAttribute('aria-label', `Send a test message to ${n.name}`);
      toggle.setAttribute('aria-label', `${n.enabled ? 'Disable' : 'Enable'} ${n.name}`);
      remove.setAttribute('aria-label', `Delete ${n.name}`);
    },
  };
}
