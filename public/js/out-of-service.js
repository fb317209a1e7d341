/**
 * Out of service on the live page (SPEC 13). Admins take an alarm out from its row, with a
 * comment saying why, and return it from the "Out of service" list. Everyone who reads alarms
 * sees the list: loaded from `GET /api/alarms/out-of-service` at every snapshot (a snapshot
 * means events may have been missed) and kept live by `alarm_out_of_service` / `alarm_in_service`.
 */
import { ApiError, del, describeError, get, post } from './api.js';
import { runDialog } from './alarm-dialogs.js';
import { byId, h, reorder, setText, show } from './dom.js';
import { formatDateTime, formatTime } from './format.js';

/** The dialog that takes `alarm` out of service; the comment is required. */
export function openOutOfServiceDialog(alarm, done) {
  runDialog(
    'oos-dialog',
    alarm,
    (form) => {
      const comment = form.elements.comment.value.trim();
      if (!comment) {
        throw new ApiError(400, 'invalid_request', 'A comment is required', [
          { path: 'comment', message: 'Say why it goes out of service.' },
        ]);
      }
      return post(`/api/alarms/${alarm.rule_id}/out-of-service`, { comment });
    },
    done,
  );
}

/**
 * The list. `rules` is the rules collection (names, renames); `canAdmin` shows "Return to
 * service"; `onError(message)` reports a failure on the page.
 */
export function createOutOfServiceList({ client, rules, canAdmin, onError }) {
  const section = byId('oos-section');
  const body = byId('oos-body');
  const entries = new Map(); // rule_id -> {rule_id, rule_name, user, comment, since}
  const rows = new Map();
  let queued = null; // events that arrive while a load is in flight, re-applied over its answer

  for (const el of section.querySelectorAll('.col-oos-actions')) show(el, canAdmin);

  function apply(e) {
    if (e.type === 'alarm_in_service') entries.delete(e.rule_id);
    else
      entries.set(e.rule_id, {
        rule_id: e.rule_id,
        rule_name: e.rule_name ?? entries.get(e.rule_id)?.rule_name,
        user: e.user,
        comment: e.comment,
        since: e.since ?? e.ts,
      });
  }

  async function load() {
    queued = [];
    try {
      const res = await get('/api/alarms/out-of-service');
      entries.clear();
      for (const entry of res.out_of_service) entries.set(entry.rule_id, entry);
      for (const e of queued) apply(e);
    } catch (err) {
      // A role the server does not show the list to (403) simply has no list.
      if (err.status !== 403) onError(`Could not load the alarms out of service: ${describeError(err)}`);
    } finally {
      queued = null;
      render();
    }
  }

  const onEvent = (e) => {
    queued?.push(e);
    apply(e);
    render();
  };
  client.on('alarm_out_of_service', onEvent);
  client.on('alarm_in_service', onEvent);
  client.on('snapshot', () => void load());
  rules.onChange(render);

  function rowFor(entry) {
    let row = rows.get(entry.rule_id);
    if (!row) rows.set(entry.rule_id, (row = createRow(entry.rule_id, canAdmin && returnToService)));
    row.update({ ...entry, rule_name: rules.get(entry.rule_id)?.name ?? entry.rule_name ?? `Rule ${entry.rule_id}` });
    return row.tr;
  }

  async function returnToService(entry) {
    try {
      await del(`/api/alarms/${entry.rule_id}/out-of-service`);
    } catch (err) {
      onError(`Could not return ${entry.rule_name} to service: ${describeError(err)}`);
    }
  }

  function render() {
    const list = [...entries.values()].sort((a, b) => String(b.since).localeCompare(String(a.since)));
    const focused = document.activeElement?.closest?.('#oos-body tr');
    reorder(body, list.map(rowFor));
    for (const id of rows.keys()) if (!entries.has(id)) rows.delete(id);
    show(section, list.length > 0);
    setText(byId('oos-count'), String(list.length));
    if (focused && !focused.isConnected) byId('active-title').focus(); // returned: its row is gone
  }

  return { load };
}

/** One row: the alarm, who took it out, why, since when, and "Return to service" for admins. */
function createRow(ruleId, onReturn) {
  const name = h('span', { class: 'alarm-name' });
  const user = h('span');
  const comment = h('span', { class: 'oos-comment' });
  const since = h('time');
  const cells = [
    h('td', { class: 'col-alarm', dataset: { label: 'Alarm' } }, name),
    h('td', { dataset: { label: 'By' } }, user),
    h('td', { class: 'col-comment', dataset: { label: 'Comment' } }, comment),
    h('td', { dataset: { label: 'Since' } }, since),
  ];
  let current;
  const back = h('button', { type: 'button', class: 'button button--small' }, 'Return to service');
  back.addEventListener('click', () => {
    back.disabled = true;
    void onReturn(current).finally(() => (back.disabled = false));
  });
  if (onReturn) cells.push(h('td', { class: 'col-oos-actions', dataset: { label: 'Actions' } }, back));
  const tr = h('tr', { class: 'oos-row', dataset: { ruleId: String(ruleId) } }, cells);
  return {
    tr,
    update(entry) {
      current = entry;
      setText(name, entry.rule_name);
      setText(user, entry.user ?? '—');
      setText(comment, entry.comment ?? '');
      since.dateTime = entry.since ?? '';
      since.title = formatDateTime(entry.since);
      setText(since, formatTime(entry.since));
      back.setAttribute('aria-label', `Return ${entry.rule_name} to service`);
    },
  };
}
