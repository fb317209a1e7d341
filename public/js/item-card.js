/** One personal item as a card: what it is, when it rings, whether it is due, and its buttons. */
import { h } from './dom.js';
import { formatClock, formatDays, formatDuration, formatTime } from './format.js';

/** A timer that has run to its end (it stays started until reset or restarted). */
export function timerFinished(item, now = Date.now()) {
  return item.kind === 'timer' && item.timer.started_at !== null && Date.parse(item.timer.started_at) + item.timer.duration_s * 1000 <= now;
}

/** What an item says about when it rings. */
export function whenText(item, now = Date.now()) {
  if (item.kind === 'alarm') return `${item.alarm.time} · ${formatDays(item.alarm.days)} · ${item.alarm.timezone}`;
  const t = item.timer;
  const total = formatDuration(t.duration_s * 1000);
  if (!t.started_at) return `${total} · stopped`;
  const end = Date.parse(t.started_at) + t.duration_s * 1000;
  return end > now ? `${total} · ${formatClock(end - now)} left` : `${total} · finished ${formatTime(new Date(end).toISOString())}`;
}

/**
 * `dueAt`: when an undismissed `item_due` came for it, or undefined. `actions`: `{run, restart,
 * toggleEnabled, edit, remove, dismiss}`, each called with the item. Every button has a
 * `data-focus-key`, so focus can return to it when the list is rebuilt.
 */
export function itemCard(item, dueAt, actions) {
  const button = (label, key, onClick, kind = '') => {
    const b = h(
      'button',
      {
        type: 'button',
        class: `button button--small ${kind}`,
        dataset: { focusKey: `${item.id}:${key}` },
        'aria-label': `${label} ${item.label}`,
      },
      label,
    );
    b.addEventListener('click', () => onClick(item));
    return b;
  };
  const isTimer = item.kind === 'timer';
  const running = isTimer && item.timer.started_at !== null;
  const finished = timerFinished(item);
  const classes = ['item-card', dueAt && 'item-card--due', !item.enabled && 'item-card--off'].filter(Boolean).join(' ');

  return h(
    'li',
    { class: classes, dataset: { itemId: item.id, kind: item.kind, finished: String(finished) } },
    h(
      'div',
      { class: 'item-main' },
      h(
        'p',
        { class: 'item-kicker' },
        h('span', { class: `kind-badge kind-badge--${item.kind}` }, isTimer ? 'Timer' : 'Alarm'),
        h('span', { class: item.enabled ? 'pill pill--on' : 'pill pill--off' }, item.enabled ? 'Enabled' : 'Disabled'),
      ),
      h('h3', { class: 'item-label' }, item.label),
      h('p', { class: 'item-when', dataset: { when: item.id } }, whenText(item)),
      h('p', { class: 'item-meta muted' }, `version ${item.version} · changed ${formatTime(item.updated_at)}`),
      dueAt
        ? h(
            'p',
            { class: 'item-due', role: 'status' },
            h('strong', {}, 'Due now'),
            ` since ${formatTime(dueAt)} `,
            button('Dismiss', 'dismiss', actions.dismiss),
          )
        : null,
    ),
    h(
      'div',
      { class: 'actions' },
      isTimer && !finished ? button(running ? 'Stop' : 'Start', 'run', actions.run, 'button--primary') : null,
      running ? button('Restart', 'restart', actions.restart, finished ? 'button--primary' : '') : null,
      finished ? button('Reset', 'run', actions.run) : null,
      button(item.enabled ? 'Disable' : 'Enable', 'enable', actions.toggleEnabled, 'button--quiet'),
      button('Edit', 'edit', actions.edit),
      button('Delete', 'delete', actions.remove, 'button--danger-quiet'),
    ),
  );
}
