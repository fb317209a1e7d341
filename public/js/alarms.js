/**
 * Live alarms: the active list from the stream's snapshot, kept live by alarm events, highest
 * priority first and filtered by severity, state and PLC; the horn while alarms shown are
 * unacknowledged; acknowledge and shelve for users with alarms:ack, out of service for
 * alarms:admin; an optional desktop notification and an aria-live announcement on a new ALARM.
 */
import { createAlarmStore } from './alarm-store.js';
import { createAlarmRow } from './alarm-row.js';
import { createFilterBar } from './alarm-filter-bar.js';
import { isShown, loadFilter } from './alarm-filter.js';
import { del, describeError, get } from './api.js';
import { createCollection } from './collection.js';
import { openAckDialog, openShelveDialog } from './alarm-dialogs.js';
import { notify, setupNotifyOption } from './desktop-notification.js';
import { byId, notice, reorder, setText, show } from './dom.js';
import { formatValue } from './format.js';
import { createHornPanel } from './horn-panel.js';
import { createOutOfServiceList, openOutOfServiceDialog } from './out-of-service.js';
import { createPageClock } from './page-clock.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: ['alarms', 'config'] });
if (page) main(page);

function main({ client, can, announce, connect }) {
  const clock = createPageClock();
  const store = createAlarmStore();
  const plcs = createCollection(client, 'plc', '/api/plcs');
  const datapoints = createCollection(client, 'datapoint', '/api/datapoints');
  const rules = createCollection(client, 'rule', '/api/rules');
  const rows = new Map();
  const status = byId('page-status');
  const canAck = can('alarms:ack');
  const canAdmin = can('alarms:admin');
  const filter = loadFilter();
  const filterBar = createFilterBar(byId('alarm-filters'), filter, () => render());
  const horn = createHornPanel({ clock });
  let loaded = false;

  for (const el of document.querySelectorAll('.col-actions')) show(el, canAck || canAdmin);

  const clearStatus = () => notice(status, '');
  const actions = (canAck || canAdmin) && {
    ...(canAck && {
      ack: (alarm) => openAckDialog(alarm, clearStatus),
      shelve: (alarm) => openShelveDialog(alarm, clearStatus),
      unshelve: async (alarm) => {
        try {
          await del(`/api/alarms/${alarm.rule_id}/shelve`);
        } catch (err) {
          notice(status, `Could not unshelve: ${describeError(err)}`, 'error');
        }
      },
    }),
    ...(canAdmin && { outOfService: (alarm) => openOutOfServiceDialog(alarm, clearStatus) }),
  };
  createOutOfServiceList({ client, rules, canAdmin, onError: (message) => notice(status, message, 'error') });

  /** The alarms on screen: listed, not shelved, and let through by the filter. */
  const shownActive = () => store.sorted(clock.now()).active.filter((a) => isShown(filter, a));

  // The horn follows the list at once, not at the next animation frame: a background tab gets
  // no frames, and a control room's alarm page is often one.
  const syncHorn = () => horn.update(shownActive());

  let pending = false;
  function scheduleRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  }

  function rowFor(alarm) {
    let row = rows.get(alarm.rule_id);
    if (!row) rows.set(alarm.rule_id, (row = createAlarmRow(alarm.rule_id, actions)));
    const dp = datapoints.get(alarm.datapoint_id);
    row.update(alarm, dp, plcs.get(dp?.plc_id ?? alarm.plc_id));
    return row.tr;
  }

  function render() {
    const { active, shelved } = store.sorted(clock.now());
    const shown = active.filter((a) => isShown(filter, a));
    const shownShelved = shelved.filter((a) => isShown(filter, a));
    const focusedRow = document.activeElement?.closest?.('tr.alarm-row');
    reorder(byId('active-body'), shown.map(rowFor));
    reorder(byId('shelved-body'), shownShelved.map(rowFor));
    // The row with the focus has left the list (acknowledged and normal): keep focus nearby.
    if (focusedRow && !focusedRow.isConnected) byId('active-title').focus();
    for (const id of rows.keys()) if (!store.alarms.has(id)) rows.delete(id);
    const empty = byId('active-empty');
    show(empty, loaded && shown.length === 0);
    setText(
      empty,
      active.length
        ? `All ${active.length} active alarms are hidden by the filter.`
        : shelved.length
          ? `No active alarms outside the ${shelved.length} shelved below, which are not alerting.`
          : '✓ No active alarms. All monitored points are normal and acknowledged.',
    );
    empty.classList.toggle('empty--ok', active.length === 0 && shelved.length === 0);
    show(byId('active-loading'), !loaded);
    show(byId('shelved-section'), shownShelved.length > 0);
    setText(byId('shelved-count'), String(shownShelved.length));
    filterBar.render(active, active.length - shown.length);
    horn.update(shown);
    renderSummary(active);
  }

  function renderSummary(active) {
    const count = (pred) => active.filter(pred).length;
    const parts = [
      [count((a) => a.state === 'ALARM'), 'in alarm', 'alarm'],
      [count((a) => a.state === 'WARNING'), 'warning', 'warning'],
      [count((a) => a.state === 'UNKNOWN'), 'unknown', 'unknown'],
      [count((a) => !a.acked), 'unacknowledged', 'unacked'],
    ];
    const summary = byId('alarm-summary');
    summary.replaceChildren();
    for (const [n, label, kind] of parts) {
      const chip = document.createElement('span');
      chip.className = `chip chip--${kind}${n === 0 ? ' chip--zero' : ''}`;
      chip.textContent = `${n} ${label}`;
      summary.append(chip);
    }
  }

  function raised(alarm, shelved) {
    const row = rows.get(alarm.rule_id);
    row?.tr.classList.remove('row--new');
    void row?.tr.offsetWidth; // restart the highlight animation
    row?.tr.classList.add('row--new');
    // Shelved: journaled and listed, but nobody is alerted; filtered out: this console does not watch it.
    if (shelved || !isShown(filter, alarm)) return;
    const dp = datapoints.get(alarm.datapoint_id);
    const what = [dp?.description || alarm.datapoint_label, formatValue(alarm.value, dp?.unit ?? '')].filter(Boolean).join(': ');
    announce(`New ALARM, ${alarm.severity}: ${alarm.rule_name}. ${what}`);
    notify(`ALARM: ${alarm.rule_name}`, what, `alarm-${alarm.rule_id}`);
  }

  client.on('snapshot', (snapshot) => {
    store.reset(snapshot.active);
    loaded = true;
    render();
    syncHorn();
    // The snapshot leaves shelved alarms out; they are listed below the active ones.
    get('/api/alarms/active?include_shelved=1')
      .then((res) => {
        store.addMissing(res.active.filter((a) => a.shelved_until));
        syncHorn();
        scheduleRender();
      })
      .catch(() => {});
  });
  client.on('event', (e) => {
    if (e.topic !== 'alarms' && !e.type.startsWith('rule_')) return;
    const result = store.apply(e);
    syncHorn();
    if (result.raised) {
      render();
      raised(result.raised, result.shelved);
    } else scheduleRender();
  });
  plcs.onChange(() => {
    filterBar.setPlcs(plcs.list());
    scheduleRender();
  });
  datapoints.onChange(scheduleRender);
  Promise.all([plcs.load(), datapoints.load(), rules.load()]).catch((err) =>
    notice(status, `Could not load the plant: ${describeError(err)}`, 'error'),
  );
  clock.every(10_000, function tickRows() {
    for (const row of rows.values()) row.tick();
    render(); // an expired shelve moves back to the active list
  });

  setupNotifyOption(byId('opt-notify'), byId('notify-hint'));
  render();
  connect();
}
