/** How numbers, times and durations read on the pages. */

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

/** A value with its unit: `71.25 °C`; `—` when there is none. */
export function formatValue(value, unit = '') {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  const text = typeof value === 'number' ? number.format(value) : String(value);
  return unit ? `${text} ${unit}` : text;
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A time of day for today, a date and time otherwise. */
export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toDateString() === new Date().toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

/** A date and time, always in full (history, tooltips). */
export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

/** A duration in ms as `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A countdown as `1:02:03` or `4:05`. */
export function formatClock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** ISO weekdays as `Mon–Fri`, `Sat, Sun`, `every day`. */
export function formatDays(days) {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'every day';
  const runs = [];
  for (const d of sorted) {
    const last = runs.at(-1);
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs
    .map(([a, b]) =>
      b - a >= 2 ? `${WEEKDAYS[a - 1]}–${WEEKDAYS[b - 1]}` : a === b ? WEEKDAYS[a - 1] : `${WEEKDAYS[a - 1]}, ${WEEKDAYS[b - 1]}`,
    )
    .join(', ');
}
