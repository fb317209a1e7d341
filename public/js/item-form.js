/** The item form: an alarm (time, weekdays, zone) or a timer (duration, running), as SPEC 8 bodies. */
import { byId, h, show } from './dom.js';
import { WEEKDAYS } from './format.js';
import { fillTimeZones, localZone } from './timezones.js';

export function createItemForm() {
  const form = byId('item-form');
  const f = form.elements;
  const days = byId('item-days');
  days.append(
    ...WEEKDAYS.map((name, i) =>
      h('label', { class: 'check check--day' }, h('input', { type: 'checkbox', name: 'day', value: String(i + 1) }), name),
    ),
  );
  fillTimeZones(byId('item-tz-list'));
  let startedAt = null; // the running timer's start, kept when an edit leaves it running

  function syncKind() {
    const timer = f.kind.value === 'timer';
    show(byId('item-alarm-fields'), !timer);
    show(byId('item-timer-fields'), timer);
  }
  for (const radio of form.querySelectorAll('input[name="kind"]')) radio.addEventListener('change', syncKind);

  return {
    form,
    set(item) {
      form.reset();
      f.kind.value = item?.kind ?? 'alarm';
      f.label.value = item?.label ?? '';
      f.enabled.checked = item?.enabled ?? true;
      const alarm = item?.alarm ?? { time: '07:00', days: [1, 2, 3, 4, 5], timezone: localZone() };
      f.time.value = alarm.time;
      for (const box of days.querySelectorAll('input')) box.checked = alarm.days.includes(Number(box.value));
      f.timezone.value = alarm.timezone;
      const timer = item?.timer ?? { duration_s: 600, started_at: null };
      f.hours.value = String(Math.floor(timer.duration_s / 3600));
      f.minutes.value = String(Math.floor((timer.duration_s % 3600) / 60));
      f.seconds.value = String(timer.duration_s % 60);
      startedAt = timer.started_at;
      f.running.checked = item ? timer.started_at !== null : true;
      syncKind();
    },
    /** The PUT body. */
    read() {
      const common = { label: f.label.value, enabled: f.enabled.checked };
      if (f.kind.value === 'alarm') {
        const chosen = [...days.querySelectorAll('input:checked')].map((b) => Number(b.value));
        return { kind: 'alarm', ...common, alarm: { time: f.time.value, days: chosen, timezone: f.timezone.value.trim() } };
      }
      const n = (input) => Number(input.value || 0);
      const duration_s = n(f.hours) * 3600 + n(f.minutes) * 60 + n(f.seconds);
      const started_at = f.running.checked ? (startedAt ?? new Date().toISOString()) : null;
      return { kind: 'timer', ...common, timer: { duration_s, started_at } };
    },
  };
}
