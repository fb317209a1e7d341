/** The journal (GET /api/alarms/history): filter by rule, PLC, type, user and time; newest first by default; page by next_after_id. */
import { describeError, download, get } from './api.js';
import { byId, fill, h, notice, show } from './dom.js';
import { formatDateTime, formatValue } from './format.js';
import { detailsOf, EVENT_GROUPS, subjectOf, typeText } from './history-events.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: [] });
if (page) main(page);

const byName = (a, b) => a.name.localeCompare(b.name);

/** Options of a select, keeping what was chosen. */
function refill(select, first, options) {
  const chosen = select.value;
  fill(select, first, options);
  select.value = chosen;
}

function main({ connect, can }) {
  const form = byId('history-form');
  const body = byId('history-body');
  const status = byId('history-status');
  const names = { rules: new Map(), plcs: new Map() };
  const units = new Map();
  let query = null;
  let cursors = []; // after_id of each page shown so far; the last is the current page's
  let nextAfterId = null;

  async function loadLookups() {
    const admin = can('users:admin');
    const [rules, plcs, datapoints, users] = await Promise.all([
      get('/api/rules'),
      get('/api/plcs'),
      get('/api/datapoints'),
      admin ? get('/api/users') : [],
    ]);
    for (const r of rules) names.rules.set(r.id, r.name);
    for (const p of plcs) names.plcs.set(p.id, p.name);
    for (const d of datapoints) units.set(d.id, d.unit);
    const f = form.elements;
    refill(
      f.rule_id,
      h('option', { value: '' }, 'All rules and events'),
      rules.sort(byName).map((r) => h('option', { value: String(r.id) }, r.name)),
    );
    refill(
      f.plc_id,
      h('option', { value: '' }, 'All PLCs'),
      plcs.sort(byName).map((p) => h('option', { value: String(p.id) }, p.name)),
    );
    fill(
      byId('history-users'),
      users.map((u) => h('option', { value: u.username })),
    );
  }

  /** Event types by topic, each topic also as a whole; audit only for those who may read it. */
  function fillTypes() {
    const groups = EVENT_GROUPS.filter((g) => !g.needs || can(g.needs));
    refill(
      form.elements.type,
      h('option', { value: '' }, 'All event types'),
      groups.map((g) =>
        h(
          'optgroup',
          { label: g.label },
          h('option', { value: g.types.join(',') }, `All: ${g.label.toLowerCase()}`),
          g.types.map((type) => h('option', { value: type }, typeText(type))),
        ),
      ),
    );
  }

  function readQuery() {
    const q = new URLSearchParams();
    const f = form.elements;
    for (const name of ['rule_id', 'plc_id', 'type']) if (f[name].value) q.set(name, f[name].value);
    if (f.user.value.trim()) q.set('user', f.user.value.trim());
    // datetime-local is the browser's local time; the API wants an instant.
    if (f.from.value) q.set('from', new Date(f.from.value).toISOString());
    if (f.to.value) q.set('to', new Date(f.to.value).toISOString());
    q.set('order', f.order.value);
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
      const order = query.get('order') === 'asc' ? 'oldest first' : 'newest first';
      notice(status, res.events.length ? `Page ${cursors.length}: events ${first} to ${last}, ${order}.` : 'No events match.', 'info');
    } catch (err) {
      notice(status, describeError(err), 'error');
    }
    byId('page-prev').disabled = cursors.length <= 1;
    byId('page-next').disabled = nextAfterId === null;
  }

  function eventRow(e) {
    return h(
      'tr',
      { dataset: { type: e.type, topic: e.topic } },
      h('td', { class: 'num', dataset: { label: '#' } }, String(e.id)),
      h('td', { dataset: { label: 'Time' } }, h('time', { datetime: e.ts }, formatDateTime(e.ts))),
      h('td', { dataset: { label: 'Event' } }, typeText(e.type)),
      h('td', { dataset: { label: 'Subject' } }, subjectOf(e, names)),
      h('td', { dataset: { label: 'State' } }, stateOf(e)),
      h(
        'td',
        { class: 'num', dataset: { label: 'Value' } },
        e.type === 'alarm_state' ? formatValue(e.value, units.get(e.datapoint_id) ?? '') : '',
      ),
      h('td', { class: 'col-by', dataset: { label: 'By' } }, e.user ?? ''),
      h('td', { dataset: { label: 'Details' } }, detailsOf(e)),
    );
  }

  function stateOf(e) {
    if (e.type === 'plc_status')
      return h('span', { class: `state-badge state-badge--${e.connected ? 'ok' : 'alarm'}` }, e.connected ? 'Connected' : 'Disconnected');
    if (e.type !== 'alarm_state') return '';
    return h(
      'span',
      { class: 'transition' },
      h('span', { class: 'muted' }, `${e.previous_state} → `),
      h('span', { class: `state-badge state-badge--${String(e.state).toLowerCase()}` }, e.state),
    );
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

  fillTypes();
  loadLookups()
    .catch((err) => notice(status, `Could not load the rules and PLCs: ${describeError(err)}`, 'error'))
    .finally(() => form.requestSubmit());
  connect();
}
