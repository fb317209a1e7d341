/** A PLC's row: address, polling and the live connection state (with the last error). */
import { fill, h, setText } from './dom.js';
import { formatDateTime, formatTime } from './format.js';
import { addRowActions } from './row-actions.js';

const STATE_TEXT = { disabled: 'Disabled', connected: 'Connected', disconnected: 'Disconnected' };

/** `actions` (admins only): `{edit(plc), remove(plc)}`. Returns `{tr, update(plc)}`. */
export function createPlcRow(actions) {
  const c = {
    name: h('td', { class: 'col-name', dataset: { label: 'Name' } }),
    address: h('td', { dataset: { label: 'Address' } }),
    polling: h('td', { dataset: { label: 'Polling' } }),
    conn: h('td', { dataset: { label: 'Connection' } }),
  };
  const tr = h('tr', {}, Object.values(c));
  let current;
  const buttons = actions && addRowActions(tr, () => current, actions);

  return {
    tr,
    update(plc) {
      current = plc;
      tr.dataset.plcId = String(plc.id);
      setText(c.name, plc.name);
      setText(c.address, `${plc.host}:${plc.port} · unit ${plc.unit_id}`);
      const inFlight = plc.max_in_flight > 1 ? `, ${plc.max_in_flight} requests in flight` : '';
      setText(c.polling, `every ${plc.poll_interval_ms} ms, timeout ${plc.timeout_ms} ms${inFlight}`);
      const s = plc.status ?? {};
      const state = !plc.enabled ? 'disabled' : s.connected ? 'connected' : 'disconnected';
      const down = state === 'disconnected';
      fill(
        c.conn,
        h('span', { class: `conn-badge conn-badge--${state}` }, STATE_TEXT[state]),
        down && s.last_error ? h('span', { class: 'conn-error' }, s.last_error) : null,
        down && s.last_ok_at
          ? h('span', { class: 'muted conn-seen', title: formatDateTime(s.last_ok_at) }, `last good read ${formatTime(s.last_ok_at)}`)
          : null,
      );
      buttons?.label(plc.name);
    },
  };
}
