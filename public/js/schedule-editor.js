/**
 * The schedule part of the rule form (SPEC 3): a time zone and windows, each with ISO weekdays
 * and an HH:MM start and end. Each control carries the `data-path` the API names in its errors.
 */
import { byId, fill, h, show } from './dom.js';
import { WEEKDAYS } from './format.js';
import { fillTimeZones, localZone } from './timezones.js';

const WORKDAYS = [1, 2, 3, 4, 5];

export function createScheduleEditor() {
  const toggle = byId('rule-scheduled');
  const fields = byId('schedule-fields');
  const zone = byId('rule-timezone');
  const list = byId('schedule-windows');
  let counter = 0;
  const windows = () => [...list.querySelectorAll(':scope > fieldset.window')];

  fillTimeZones(byId('tz-list'));
  toggle.addEventListener('change', () => {
    show(fields, toggle.checked);
    if (toggle.checked && windows().length === 0) addWindow();
  });
  byId('add-window').addEventListener('click', () => {
    const win = addWindow();
    win.querySelector('input')?.focus();
  });

  function addWindow(w = { days: WORKDAYS, start: '06:00', end: '18:00' }) {
    const uid = ++counter;
    const legend = h('legend', {});
    const days = h(
      'div',
      { class: 'weekday-picks field', dataset: { role: 'days' } },
      WEEKDAYS.map((name, i) =>
        h(
          'label',
          { class: 'check check--day' },
          h('input', { type: 'checkbox', value: String(i + 1), checked: w.days.includes(i + 1) }),
          name,
        ),
      ),
    );
    const start = h('input', {
      id: `win-${uid}-start`,
      class: 'input-time',
      value: w.start,
      inputmode: 'numeric',
      placeholder: 'HH:MM',
      maxlength: '5',
      autocomplete: 'off',
    });
    const end = h('input', {
      id: `win-${uid}-end`,
      class: 'input-time',
      value: w.end,
      inputmode: 'numeric',
      placeholder: 'HH:MM',
      maxlength: '5',
      autocomplete: 'off',
    });
    const remove = h('button', { type: 'button', class: 'button button--small button--danger-quiet' }, 'Remove window');
    const win = h(
      'fieldset',
      { class: 'window' },
      legend,
      days,
      h(
        'div',
        { class: 'window-times' },
        h('div', { class: 'field', dataset: { role: 'start' } }, h('label', { for: start.id }, 'Start'), start),
        h('div', { class: 'field', dataset: { role: 'end' } }, h('label', { for: end.id }, 'End'), end),
        remove,
      ),
    );
    remove.addEventListener('click', () => {
      const all = windows();
      const next = all[all.indexOf(win) + 1] ?? all[all.indexOf(win) - 1];
      win.remove();
      renumber();
      (next?.querySelector('input') ?? byId('add-window')).focus();
    });
    list.append(win);
    renumber();
    return win;
  }

  /** Paths and names follow the position: window 2 is `schedule.windows.1`. */
  function renumber() {
    windows().forEach((win, i) => {
      win.dataset.path = `schedule.windows.${i}`;
      win.querySelector('legend').textContent = `Window ${i + 1}`;
      win.querySelector('[data-role="days"]').dataset.path = `schedule.windows.${i}.days`;
      win.querySelector('[data-role="start"]').dataset.path = `schedule.windows.${i}.start`;
      win.querySelector('[data-role="end"]').dataset.path = `schedule.windows.${i}.end`;
      for (const box of win.querySelectorAll('input[type="checkbox"]')) {
        box.setAttribute('aria-label', `${WEEKDAYS[Number(box.value) - 1]}, window ${i + 1}`);
      }
      win.querySelector('.button--danger-quiet').setAttribute('aria-label', `Remove window ${i + 1}`);
    });
  }

  return {
    set(schedule) {
      toggle.checked = Boolean(schedule);
      zone.value = schedule?.timezone ?? localZone();
      fill(list);
      for (const w of schedule?.windows ?? []) addWindow(w);
      show(fields, toggle.checked);
    },
    /** The schedule as the API takes it, or null. */
    read() {
      if (!toggle.checked) return null;
      return {
        timezone: zone.value.trim(),
        windows: windows().map((win) => ({
          days: [...win.querySelectorAll('input[type="checkbox"]:checked')].map((b) => Number(b.value)),
          start: win.querySelector('[data-role="start"] input').value.trim(),
          end: win.querySelector('[data-role="end"] input').value.trim(),
        })),
      };
    },
  };
}
