/**
 * Live alarms: the active list from the stream's snapshot, kept live by alarm events, most
 * urgent first; acknowledge and shelve for users with alarms:ack; optional sound and desktop
 * notification on a new ALARM, and an aria-live announcement.
 */
import { createAlarmStore } from './alarm-store.js';
import { createAlarmRow } from './alarm-row.js';
import { beep, notificationsUnavailable, notify, notifyWanted, primeAudioOnGesture, setNotifyWanted, setSoundWanted, soundWanted } from './alert-sound.js';
import { del, describeError, get } from './api.js';
import { createCollection } from './collection.js';
import { openAckDialog, openShelveDialog } from './alarm-dialogs.js';
import { byId, notice, reorder, setText, show } from './dom.js';
import { formatValue } from './format.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: ['alarms', 'config'] });
if (page) main(page);

function main({ client, can, announce, connect }) {
  const store = createAlarmStore();
  const plcs = createCollection(client, 'plc', '/api/plcs');
  const datapoints = createCollection(client, 'datapoint', '/api/datapoints');
  const rows = new Map();
  const status = byId('page-status');
  const canAck = can('alarms:ack');
  let loaded = false;

  for (const el of document.querySelectorAll('.col-actions')) show(el, canAck);

  const actions = canAck && {
    ack: (alarm) => openAckDialog(alarm, () => notice(status, '')),
    shelve: (alarm) => openShelveDialog(alarm, () => notice(status, '')),
    unshelve: async (alarm) => {
      try {
        await del(`/api/alarms/${alarm.rule_id}/shelve`);
      } catch (err) {
        notice(status, `Could not unshelve: ${describeError(err)}`, 'error');
      }
    },
  };

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
    const { active, shelved } = store.sorted();
    const focusedRow = document.activeElement?.closest?.('tr.alarm-row');
    reorder(byId('active-body'), active.map(rowFor));
    reorder(byId('shelved-body'), shelved.map(rowFor));
    // The row with the focus has left the list (acknowledged and normal): keep focus nearby.
    if (focusedRow && !focusedRow.isConnected) byId('active-title').focus();
    for (const id of rows.keys()) if (!store.alarms.has(id)) rows.delete(id);
    show(byId('active-empty'), loaded && active.length === 0);
    setText(byId('active-empty'), shelved.length
      ? `No active alarms outside the ${shelved.length} shelved below, which are not alerting.`
      : '✓ No active alarms. All monitored points are normal and acknowledged.');
    byId('active-empty').classList.toggle('empty--ok', shelved.length === 0);
    show(byId('active-loading'), !loaded);
    show(byId('shelved-section'), shelved.length > 0);
    setText(byId('shelved-count'), String(shelved.length));
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
    if (shelved) return; // shelved: journaled and listed, but nobody is alerted
    const dp = datapoints.get(alarm.datapoint_id);
    const what = [dp?.description || alarm.datapoint_label, formatValue(alarm.value, dp?.unit ?? '')].filter(Boolean).join(': ');
    announce(`New ALARM, ${alarm.severity}: ${alarm.rule_name}. ${what}`);
    beep();
    notify(`ALARM: ${alarm.rule_name}`, what, `alarm-${alarm.rule_id}`);
  }

  client.on('snapshot', (snapshot) => {
    store.reset(snapshot.active);
    loaded = true;
    render();
    // The snapshot leaves shelved alarms out; they are listed below the active ones.
    get('/api/alarms/active?include_shelved=1')
      .then((res) => {
        store.addMissing(res.active.filter((a) => a.shelved_until));
        scheduleRender();
      })
      .catch(() => {});
  });
  client.on('event', (e) => {
    if (e.topic !== 'alarms' && !e.type.startsWith('rule_')) return;
    const result = store.apply(e);
    if (result.raised) {
      render();
      raised(result.raised, result.shelved);
    } else scheduleRender();
  });
  plcs.onChange(scheduleRender);
  datapoints.onChange(scheduleRender);
  Promise.all([plcs.load(), datapoints.load()]).catch((err) => notice(status, `Could not load the plant: ${describeError(err)}`, 'error'));
  setInterval(() => {
    for (const row of rows.values()) row.tick();
    render(); // an expired shelve moves back to the active list
  }, 10_000);

  setupAlertOptions();
  render();
  connect();
}

function setupAlertOptions() {
  const sound = byId('opt-sound');
  const notifyBox = byId('opt-notify');
  const hint = byId('notify-hint');
  sound.checked = soundWanted();
  primeAudioOnGesture();
  sound.addEventListener('change', () => {
    setSoundWanted(sound.checked);
    if (sound.checked) beep(); // so the operator hears what it will sound like
  });
  const unavailable = notificationsUnavailable();
  notifyBox.checked = notifyWanted();
  if (unavailable) {
    notifyBox.disabled = true;
    setText(hint, `(${unavailable})`);
  }
  notifyBox.addEventListener('change', async () => {
    notifyBox.checked = await setNotifyWanted(notifyBox.checked);
    const why = notificationsUnavailable();
    setText(hint, why ? `(${why})` : '');
    notifyBox.disabled = Boolean(why);
  });
}
