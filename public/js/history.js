/** The journal (GET /api/alarms/history): filter by rule and time, page by next_after_id. */
import { describeError, download, get } from './api.js';
import { byId, fill, h, notice, show } from './dom.js';
import { formatDateTime, formatValue } from './format.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: [] });
if (page) main(page);

const TYPE_TEXT = {
  alarm_state: 'State change',
  alarm_ack: 'Acknowledged',
  alarm_shelved: 'Shelved',
  alarm_unshelved: 'Unshelved',
  plc_status: 'PLC connection',
  item_due: 'Item due',
};

const RESOURCE_TEXT = { plc: 'PLC', datapoint: 'Datapoint', rule: 'Rule', item: 'Item' };

/** `rule_updated` -> `Rule updated`. */
function typeText(type) {
  if (TYPE_TEXT[type]) return TYPE_TEXT[type];
  const [resource, ...rest] = type.split('_');
  return `${RESOURCE_TEXT[resource] ?? resource} ${rest.join(' ')}`.trim();
}

function main({ connect }) {
  const form = byId('history-form');
  const body = byId('history-body');
  const status = byId('history-status');
  const ruleNames = new Map();
  const plcNames = new Map();
  const units = new Map();
  let query = null;
  let cursors = []; // after_id of each page shown so far; the last is the current page's
  let nextAfterId = null;

  async function loadLookups() {
    const [rules, plcs, datapoints] = await Promise.all([get('/api/rules'), get('/api/plcs'), get('/api/datapoints')]);
    for (const r of rules) ruleNames.set(r.id, r.name);
    for (const p of plcs) plcNames.set(p.id, p.name);
    for (const d of datapoints) units.set(d.id, d.unit);
    const select = form.elements.rule_id;
    const chosen = select.value;
    fill(select, h('option', { value: '' }, 'All rules and events'),
      rules.sort((a, b) => a.name.localeCompare(b.name)).map((r) => h('option', { value: String(r.id) }, r.name)));
    select.value = chosen;
  }

  function readQuery() {
    const q = new URLSearchParams();
    const f = form.elements;
    if (f.rule_id.value) q.set('rule_id', f.rule_id.value);
    // datetime-local is the browser's local time; the API wants an instant.
    if (f.from.value) q.set('from', new Date(f.from.value).toISOString());
    if (f.to.value) q.set('to', new Date(f.to.value).toISOString());
    q.set('limit', f.limit.value);
    return q;
  }

  async function showPage(afterId) {
    const q = new URLSearchParams(query);
    if (afterId) q.set('after_id', String(afterId));
    notice(status, 'Loading…', 'info');
    try {
      const res = await get(`/api/alarms/history?${q}`);
      nextAfterId = res.next_after_id;
      fill(body, res.events.map(eventRow));
      show(byId('history-empty'), res.events.length === 0);
      const first = res.events[0]?.id;
      const last = res.events.at(-1)?.id;
      notice(status, res.events.length ? `Page ${cursors.length}: events ${first} to ${last}, oldest first.` : 'No events match.', 'info');
    } catch (err) {
      notice(status, describeError(err), 'error');
    }
    byId('page-prev').disabled = cursors.length <= 1;
    byId('page-next').disabled = nextAfterId === null;
  }

  function eventRow(e) {
    const subject = subjectOf(e);
    return h('tr', { dataset: { type: e.type } },
      h('td', { class: 'num', dataset: { label: '#' } }, String(e.id)),
      h('td', { dataset: { label: 'Time' } }, h('time', { datetime: e.ts }, formatDateTime(e.ts))),
      h('td', { dataset: { label: 'Event' } }, typeText(e.type)),
      h('td', { dataset: { label: 'Subject' } }, subject),
      h('td', { dataset: { label: 'State' } }, stateOf(e)),
      h('td', { class: 'num', dataset: { label: 'Value' } }, e.type === 'alarm_state' ? formatValue(e.value, units.get(e.datapoint_id) ?? '') : ''),
      h('td', { dataset: { label: 'By' } }, e.user ?? ''),
      h('td', { dataset: { label: 'Details' } }, detailsOf(e)),
    );
  }

  function subjectOf(e) {
    if (e.rule_name) return e.rule_name;
    if (e.rule) return e.rule.name;
    if (e.plc) return e.plc.name;
    if (e.datapoint) return e.datapoint.description || e.datapoint.label;
    if (e.item) return e.item.label;
    if (e.notifier) return `notifier ${e.notifier.name}`;
    if (e.type === 'plc_status') return plcNames.get(e.plc_id) ?? `PLC ${e.plc_id}`;
    if (e.rule_id !== undefined) return ruleNames.get(e.rule_id) ?? `rule ${e.rule_id}`;
    return '';
  }

  function stateOf(e) {
    if (e.type === 'plc_status') return h('span', { class: `state-badge state-badge--${e.connected ? 'ok' : 'alarm'}` }, e.connected ? 'Connected' : 'Disconnected');
    if (e.type !== 'alarm_state') return '';
    return h('span', { class: 'transition' },
      h('span', { class: 'muted' }, `${e.previous_state} → `),
      h('span', { class: `state-badge state-badge--${String(e.state).toLowerCase()}` }, e.state));
  }

  function detailsOf(e) {
    switch (e.type) {
      case 'alarm_state':
        return `${e.severity}; reason: ${e.reason}${e.shelved ? '; shelved' : ''}${e.acked ? '' : '; unacknowledged'}`;
      case 'alarm_ack':
        return e.comment ?? '';
      case 'alarm_shelved':
        return [`until ${formatDateTime(e.shelved_until)}`, e.comment].filter(Boolean).join('; ');
      case 'alarm_unshelved':
        return e.reason === 'expired' ? 'time was up' : e.reason ?? '';
      case 'plc_status':
        return e.error ?? '';
      default:
        return e.comment ?? '';
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    query = readQuery();
    cursors = [0];
    void showPage(0);
  });
  byId('page-next').addEventListener('click', () => {
    if (nextAfterId === null) return;
    cursors.push(nextAfterId);
    void showPage(nextAfterId);
  });
  byId('page-prev').addEventListener('click', () => {
    if (cursors.length <= 1) return;
    cursors.pop();
    void showPage(cursors.at(-1));
  });
  byId('history-export').addEventListener('click', () => void exportCsv());

  /** What the filters select (every page, up to the server's 100k rows), as a CSV download. */
  async function exportCsv() {
    const q = readQuery();
    q.delete('limit');
    q.set('format', 'csv');
    notice(status, 'Preparing the CSV file…', 'info');
    try {
      const blob = await download(`/api/alarms/history?${q}`);
      const link = h('a', { href: URL.createObjectURL(blob), download: 'alarm-history.csv', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      notice(status, 'The CSV file is in your downloads.', 'info');
    } catch (err) {
      notice(status, describeError(err), 'error');
    }
  }

  byId('page-first').addEventListener('click', () => {
    cursors = [0];
    void showPage(0);
  });

  loadLookups()
    .catch((err) => notice(status, `Could not load the rules: ${describeError(err)}`, 'error'))
    .finally(() => form.requestSubmit());
  connect();
}
