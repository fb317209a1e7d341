/**
 * Alarm-management KPIs (SPEC 13): a period's annunciation rate and floods as a chart, the bad
 * actors, chattering and stale alarms, acknowledgement times and the severity mix.
 */
import { describeError, get } from './api.js';
import { byId, fill, h, notice, setText, show } from './dom.js';
import { formatDateTime, formatDuration } from './format.js';
import { createRateChart, FLOOD_ABOVE } from './kpi-chart.js';
import { severityRows } from './kpi-severity.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: [] });
if (page) main(page);

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

function main({ connect }) {
  const form = byId('kpi-form');
  const status = byId('kpi-status');
  const chart = createRateChart(byId('kpi-chart'));

  /** The period asked for; empty fields leave it to the server (the last 24 h). */
  function readQuery() {
    const q = new URLSearchParams();
    // datetime-local is the browser's local time; the API wants an instant.
    if (form.elements.from.value) q.set('from', new Date(form.elements.from.value).toISOString());
    if (form.elements.to.value) q.set('to', new Date(form.elements.to.value).toISOString());
    return q;
  }

  async function load() {
    notice(status, 'Loading…', 'info');
    try {
      const kpis = await get(`/api/alarms/kpis?${readQuery()}`);
      // The series of exactly the period the server chose, defaults included.
      const { windows } = await get(`/api/alarms/kpis/windows?${new URLSearchParams({ from: kpis.from, to: kpis.to })}`);
      render(kpis, windows);
      notice(status, `From ${formatDateTime(kpis.from)} to ${formatDateTime(kpis.to)}.`, 'info');
    } catch (err) {
      notice(status, describeError(err), 'error');
    }
  }

  function render(k, windows) {
    setText(byId('kpi-annunciated'), number.format(k.annunciated));
    setText(byId('kpi-per-hour'), number.format(k.per_hour));
    setText(byId('kpi-peak'), number.format(k.peak_10min));
    setText(byId('kpi-flood'), `${number.format(k.flood_percent)} %`);
    setText(byId('kpi-ack-p50'), seconds(k.ack_time_s.p50));
    setText(byId('kpi-ack-p90'), seconds(k.ack_time_s.p90));
    setText(byId('kpi-shelved'), String(k.shelved));
    setText(byId('kpi-out-of-service'), String(k.out_of_service));
    setText(byId('kpi-suppressed'), String(k.suppressed));

    chart.show(windows);
    const floods = windows.filter((w) => w.annunciated > FLOOD_ABOVE).length;
    setText(
      byId('kpi-chart-summary'),
      `${floods} of ${windows.length} windows had more than ${FLOOD_ABOVE} annunciations; the busiest had ${k.peak_10min}.`,
    );

    list('kpi-top', k.top, (r, i) => [
      h('td', { class: 'num' }, String(i + 1)),
      h('td', { class: 'col-name' }, r.rule_name),
      h('td', { class: 'num' }, String(r.count)),
    ]);
    list('kpi-chattering', k.chattering, (r) => [h('td', { class: 'col-name' }, r.rule_name), h('td', { class: 'num' }, String(r.count))]);
    list('kpi-stale', k.stale, (r) => [
      h('td', { class: 'col-name' }, r.rule_name),
      h(
        'td',
        {},
        h('time', { datetime: r.since }, formatDateTime(r.since)),
        h('span', { class: 'muted' }, ` (${formatDuration(Date.now() - Date.parse(r.since))})`),
      ),
    ]);
    fill(byId('kpi-severity'), severityRows(k.by_severity));
  }

  /** Fills a table body with one row per rule, or shows its empty note. */
  function list(id, rules, cells) {
    fill(
      byId(id),
      rules.map((r, i) => h('tr', { dataset: { ruleId: String(r.rule_id) } }, cells(r, i))),
    );
    show(byId(`${id}-empty`), rules.length === 0);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  byId('kpi-last-day').addEventListener('click', () => {
    form.reset();
    void load();
  });

  void load();
  connect();
}

/** A figure in seconds as a duration; `—` when nothing was acknowledged. */
function seconds(s) {
  if (s === null) return '—';
  return s < 60 ? `${number.format(s)} s` : formatDuration(s * 1000);
}
