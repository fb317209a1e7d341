/**
 * A dialog with one datapoint's trend (native <dialog>, built once per page): the chart for the
 * last hour, 24 h, 7 days or 30 days, or for one fixed window (an alarm's detail).
 */
import { describeError, get } from './api.js';
import { h, setText, show } from './dom.js';
import { drawTrendChart } from './trend-chart.js';

const HOUR = 3_600_000;
export const TREND_RANGES = [
  { label: 'Last hour', short: '1 h', ms: HOUR },
  { label: 'Last 24 hours', short: '24 h', ms: 24 * HOUR },
  { label: 'Last 7 days', short: '7 d', ms: 7 * 24 * HOUR },
  { label: 'Last 30 days', short: '30 d', ms: 30 * 24 * HOUR },
];

let parts = null;

function build() {
  const title = h('h2', { id: 'trend-title' });
  const subject = h('p', { class: 'dialog-subject' });
  const ranges = h('div', { class: 'trend-ranges', role: 'group', 'aria-label': 'Range' });
  const windowNote = h('p', { class: 'trend-window muted' });
  const status = h('p', { class: 'trend-status', role: 'status' });
  const chart = h('div', { class: 'trend-chart' });
  const close = h('button', { type: 'button', class: 'button' }, 'Close');
  const dialog = h(
    'dialog',
    { class: 'dialog dialog--trend', 'aria-labelledby': 'trend-title' },
    title,
    subject,
    ranges,
    windowNote,
    status,
    chart,
    h('div', { class: 'dialog-actions' }, close),
  );
  close.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  return { dialog, title, subject, ranges, windowNote, status, chart };
}

/**
 * Opens the trend of `datapoint` (`{id, label, description, unit}`). `window` (`{from, to, note}`,
 * ms) shows that span instead of the range buttons. `overlay` (`{thresholds, unit}`, or a promise
 * of it, while the page fetches them) adds threshold lines as drawTrendChart takes them, and
 * the unit when `datapoint` lacks it; `marker` (ms) is drawn as a vertical line.
 */
export function openTrendDialog({ datapoint, title, window = null, overlay = {}, marker = null }) {
  parts ??= build();
  const p = parts;
  let plot = null;
  let shown = 0;
  setText(p.title, title ?? `Trend of ${datapoint.label}`);
  setText(p.subject, [datapoint.label, datapoint.description].filter(Boolean).join(' · '));
  show(p.windowNote, Boolean(window));
  setText(p.windowNote, window?.note ?? '');
  show(p.ranges, !window);

  async function load(from, to) {
    const mine = ++shown;
    setText(p.status, 'Loading…');
    show(p.status, true);
    const query = `?from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    try {
      const [trend, extra] = await Promise.all([get(`/api/datapoints/${datapoint.id}/trend${query}`), overlay]);
      if (mine !== shown || !p.dialog.open) return;
      plot?.destroy();
      plot = null;
      if (trend.buckets.length === 0) {
        p.chart.replaceChildren();
        setText(p.status, 'No good values were recorded in this range.');
        return;
      }
      show(p.status, false);
      plot = await drawTrendChart(p.chart, trend, { thresholds: extra.thresholds ?? [], marker, unit: datapoint.unit ?? extra.unit ?? '' });
    } catch (err) {
      if (mine === shown) setText(p.status, `Could not load the trend: ${describeError(err)}`);
    }
  }

  const buttons = TREND_RANGES.map((range) =>
    h('button', { type: 'button', class: 'button button--small', 'aria-label': range.label, 'aria-pressed': 'false' }, range.short),
  );
  const choose = (i) => {
    buttons.forEach((b, k) => b.setAttribute('aria-pressed', String(k === i)));
    const now = Date.now();
    void load(now - TREND_RANGES[i].ms, now);
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => choose(i)));
  p.ranges.replaceChildren(...buttons);

  p.dialog.addEventListener(
    'close',
    () => {
      shown++;
      plot?.destroy();
      plot = null;
      p.chart.replaceChildren();
    },
    { once: true },
  );
  p.dialog.showModal();
  if (window) void load(window.from, window.to);
  else {
    choose(0);
    buttons[0].focus();
  }
}
