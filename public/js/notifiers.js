/**
 * The notifiers section (SPEC 14), for alarms:admin: list, add (webhook or MQTT), enable or
 * disable, delete, send a test, and each one's delivery status, polled every few seconds (it
 * changes with every delivery, which is no event of its own) and reloaded on `notifier_*` events.
 */
import { del, describeError, get, patch, post } from './api.js';
import { byId, fill, h, notice, reorder, setText, show } from './dom.js';
import { clearErrors, showErrors } from './form-errors.js';
import { createNotifierRow } from './notifier-row.js';

const POLL_MS = 3000;
const EVENT_TYPES = [
  'alarm_state',
  'alarm_ack',
  'alarm_shelved',
  'alarm_unshelved',
  'alarm_escalated',
  'alarm_out_of_service',
  'alarm_in_service',
];
const DEFAULT_EVENTS = ['alarm_state', 'alarm_ack', 'alarm_escalated'];
const URL_HINTS = {
  webhook: 'http:// or https://; redirects are not followed.',
  mqtt: 'mqtt:// or mqtts:// broker, e.g. mqtt://broker.plant:1883.',
};

export function startNotifiers({ client }) {
  const section = byId('notifiers');
  const status = byId('notifiers-status');
  const editor = byId('notifier-editor');
  const form = byId('notifier-form');
  const errors = byId('notifier-errors');
  const submit = form.querySelector('button[type="submit"]');
  const rows = new Map();
  let list = [];
  let loaded = false;

  show(section, true);
  fill(
    byId('notifier-events'),
    EVENT_TYPES.map((type) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'events', value: type }), type)),
  );

  async function load() {
    try {
      list = await get('/api/notifiers');
      loaded = true;
      render();
    } catch (err) {
      notice(status, `Could not load the notifiers: ${describeError(err)}`, 'error');
    }
  }

  function render() {
    const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name));
    reorder(
      byId('notifiers-body'),
      sorted.map((n) => {
        let row = rows.get(n.id);
        if (!row) rows.set(n.id, (row = createNotifierRow({ test: sendTest, toggle, remove })));
        row.update(n);
        return row.tr;
      }),
    );
    for (const id of rows.keys()) if (!list.some((n) => n.id === id)) rows.delete(id);
    show(byId('notifiers-empty'), loaded && list.length === 0);
    setText(byId('notifiers-count'), String(list.length));
  }

  async function sendTest(n, button) {
    button.disabled = true;
    notice(status, `Sending a test message to “${n.name}”…`, 'ok');
    try {
      const result = await post(`/api/notifiers/${n.id}/test`);
      if (result.ok) notice(status, `“${n.name}” took the test message.`, 'ok');
      else notice(status, `The test message to “${n.name}” failed: ${result.error.message}`, 'error');
    } catch (err) {
      notice(status, `Could not test “${n.name}”: ${describeError(err)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  async function toggle(n) {
    try {
      await patch(`/api/notifiers/${n.id}`, { enabled: !n.enabled });
      await load();
    } catch (err) {
      notice(status, `Could not change “${n.name}”: ${describeError(err)}`, 'error');
    }
  }

  async function remove(n) {
    if (!confirm(`Delete the notifier “${n.name}”? Nothing more is sent to it.`)) return;
    try {
      await del(`/api/notifiers/${n.id}`);
      notice(status, `Notifier “${n.name}” deleted.`, 'ok');
      await load();
    } catch (err) {
      notice(status, `Could not delete “${n.name}”: ${describeError(err)}`, 'error');
    }
  }

  // --- the form: a new notifier -------------------------------------------------------------

  function showKind() {
    const kind = form.elements.kind.value;
    for (const el of form.querySelectorAll('[data-kind]')) show(el, el.dataset.kind === kind);
    setText(byId('notifier-url-hint'), URL_HINTS[kind]);
  }

  function open() {
    form.reset();
    for (const box of form.querySelectorAll('input[name="events"]')) box.checked = DEFAULT_EVENTS.includes(box.value);
    clearErrors(form, errors);
    showKind();
    show(editor, true);
    editor.scrollIntoView({ block: 'nearest' });
    form.elements.kind.focus();
  }

  function close() {
    show(editor, false);
    byId('new-notifier').focus();
  }

  /** The body of the POST: only the fields of the chosen kind; what is left empty takes the API's default. */
  function read() {
    const f = form.elements;
    const body = {
      kind: f.kind.value,
      name: f.name.value,
      url: f.url.value,
      min_severity: f.min_severity.value,
      events: [...form.querySelectorAll('input[name="events"]:checked')].map((box) => box.value),
      enabled: f.enabled.checked,
    };
    if (f.max_per_rule_per_min.value.trim() !== '') body.max_per_rule_per_min = Number(f.max_per_rule_per_min.value);
    if (body.kind === 'webhook') body.secret = f.secret.value;
    else if (f.mqtt_topic.value.trim() !== '') body.mqtt_topic = f.mqtt_topic.value.trim();
    return body;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const saved = await post('/api/notifiers', read());
      close();
      notice(status, `Notifier “${saved.name}” added.`, 'ok');
      await load();
    } catch (err) {
      showErrors(form, errors, err);
    } finally {
      submit.disabled = false;
    }
  });
  form.elements.kind.addEventListener('change', showKind);
  form.querySelector('[data-action="cancel"]').addEventListener('click', close);
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.target.closest('input, select, textarea')) close();
  });
  byId('new-notifier').addEventListener('click', open);

  for (const type of ['notifier_created', 'notifier_updated', 'notifier_deleted', 'snapshot']) client.on(type, () => void load());
  setInterval(() => {
    if (document.visibilityState === 'visible') void load();
  }, POLL_MS);
  void load();
}
