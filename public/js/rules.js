/**
 * The rules editor: the list, live through `config` events; create, edit, enable/disable and
 * delete for alarms:admin, read-only for everyone else. API validation errors appear next to
 * the field they name. Admins also find the notifiers here (notifiers.js).
 */
import { ApiError, del, describeError, patch, post } from './api.js';
import { createCollection, datapointName } from './collection.js';
import { byId, h, notice, reorder, setText, show } from './dom.js';
import { formatDays, formatValue } from './format.js';
import { clearErrors, showErrors } from './form-errors.js';
import { startNotifiers } from './notifiers.js';
import { createRuleForm } from './rule-form.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: ['config'] });
if (page) main(page);

const SYMBOL = { above: '≥', below: '≤', equal: '=', not_equal: '≠' };

function main({ client, can, connect }) {
  const plcs = createCollection(client, 'plc', '/api/plcs');
  const datapoints = createCollection(client, 'datapoint', '/api/datapoints');
  const rules = createCollection(client, 'rule', '/api/rules');
  const admin = can('alarms:admin');
  const status = byId('page-status');
  const editor = byId('rule-editor');
  const errors = byId('rule-errors');
  const editorNotice = byId('rule-editor-notice');
  const ruleForm = createRuleForm(plcs, datapoints);
  const rows = new Map();
  let editing = null; // null: closed; {id: null}: a new rule; {id}: an existing one
  let loaded = false;

  show(byId('new-rule'), admin);
  show(byId('read-only-note'), !admin);
  for (const el of document.querySelectorAll('.col-actions')) show(el, admin);

  function rowFor(rule) {
    let row = rows.get(rule.id);
    if (!row) rows.set(rule.id, (row = createRow(rule.id)));
    row.update(rule);
    return row.tr;
  }

  function createRow(id) {
    const cells = {
      name: h('td', { class: 'col-name', dataset: { label: 'Name' } }),
      point: h('td', { dataset: { label: 'Datapoint' } }),
      condition: h('td', { dataset: { label: 'Condition' } }),
      severity: h('td', { dataset: { label: 'Severity' } }),
      timing: h('td', { class: 'col-extra', dataset: { label: 'Deadband / delays' } }),
      schedule: h('td', { class: 'col-extra', dataset: { label: 'Schedule' } }),
      enabled: h('td', { dataset: { label: 'Enabled' } }),
    };
    const tr = h('tr', { dataset: { ruleId: String(id) } }, Object.values(cells));
    const buttons = {};
    let current;
    if (admin) {
      buttons.edit = h('button', { type: 'button', class: 'button button--small' }, 'Edit');
      buttons.toggle = h('button', { type: 'button', class: 'button button--small button--quiet' });
      buttons.remove = h('button', { type: 'button', class: 'button button--small button--danger-quiet' }, 'Delete');
      buttons.edit.addEventListener('click', () => openEditor(current));
      buttons.toggle.addEventListener('click', () => toggleEnabled(current));
      buttons.remove.addEventListener('click', () => removeRule(current));
      tr.append(h('td', { class: 'col-actions', dataset: { label: 'Actions' } }, h('div', { class: 'actions' }, Object.values(buttons))));
    }
    return {
      tr,
      update(rule) {
        current = rule;
        const dp = datapoints.get(rule.datapoint_id);
        const unit = dp?.unit ?? '';
        setText(cells.name, rule.name);
        setText(cells.point, dp ? datapointName(dp, plcs.get(dp.plc_id)) : `datapoint ${rule.datapoint_id}`);
        const sym = SYMBOL[rule.comparison] ?? rule.comparison;
        const levels = [
          rule.warning_threshold !== null && `warning ${sym} ${formatValue(rule.warning_threshold, unit)}`,
          rule.alarm_threshold !== null && `alarm ${sym} ${formatValue(rule.alarm_threshold, unit)}`,
        ].filter(Boolean);
        setText(cells.condition, `${rule.comparison.replace('_', ' ')}: ${levels.join(', ')}`);
        cells.severity.replaceChildren(h('span', { class: `severity severity--${rule.severity}` }, rule.severity));
        setText(cells.timing, `±${formatValue(rule.deadband, unit)}; on ${rule.on_delay_ms} ms, off ${rule.off_delay_ms} ms`);
        setText(cells.schedule, rule.schedule ? scheduleText(rule.schedule) : 'always');
        cells.enabled.replaceChildren(
          h('span', { class: rule.enabled ? 'pill pill--on' : 'pill pill--off' }, rule.enabled ? 'Enabled' : 'Disabled'),
        );
        tr.classList.toggle('row--disabled', !rule.enabled);
        if (admin) {
          setText(buttons.toggle, rule.enabled ? 'Disable' : 'Enable');
          buttons.edit.setAttribute('aria-label', `Edit ${rule.name}`);
          buttons.toggle.setAttribute('aria-label', `${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`);
          buttons.remove.setAttribute('aria-label', `Delete ${rule.name}`);
        }
      },
    };
  }

  function render() {
    const list = rules.list().sort((a, b) => a.name.localeCompare(b.name));
    reorder(byId('rules-body'), list.map(rowFor));
    for (const id of rows.keys()) if (!rules.get(id)) rows.delete(id);
    show(byId('rules-empty'), loaded && list.length === 0);
    show(byId('rules-loading'), !loaded);
    setText(byId('rules-count'), String(list.length));
  }

  function flash(id) {
    const tr = rows.get(id)?.tr;
    if (!tr) return;
    tr.classList.remove('row--changed');
    void tr.offsetWidth;
    tr.classList.add('row--changed');
  }

  function openEditor(rule) {
    editing = { id: rule?.id ?? null };
    setText(byId('rule-editor-title'), rule ? `Edit rule “${rule.name}”` : 'New rule');
    ruleForm.set(rule);
    clearErrors(ruleForm.form, errors);
    notice(editorNotice, '');
    show(editor, true);
    editor.scrollIntoView({ block: 'nearest' });
    byId('rule-name').focus();
  }

  function closeEditor() {
    editing = null;
    show(editor, false);
    byId('new-rule').focus();
  }

  async function save(event) {
    event.preventDefault();
    if (!editing) return;
    const body = ruleForm.read();
    if (body.datapoint_id === null) {
      showErrors(
        ruleForm.form,
        errors,
        new ApiError(400, 'invalid_request', 'The rule is incomplete', [
          { path: 'datapoint_id', message: 'Choose the datapoint this rule watches.' },
        ]),
      );
      return;
    }
    const submit = byId('rule-save');
    submit.disabled = true;
    try {
      const saved = editing.id === null ? await post('/api/rules', body) : await patch(`/api/rules/${editing.id}`, body);
      rules.rows.set(saved.id, saved);
      render();
      flash(saved.id);
      notice(status, `Rule “${saved.name}” saved.`, 'ok');
      closeEditor();
    } catch (err) {
      showErrors(ruleForm.form, errors, err);
    } finally {
      submit.disabled = false;
    }
  }

  async function toggleEnabled(rule) {
    try {
      await patch(`/api/rules/${rule.id}`, { enabled: !rule.enabled });
    } catch (err) {
      notice(status, `Could not change “${rule.name}”: ${describeError(err)}`, 'error');
    }
  }

  async function removeRule(rule) {
    if (!confirm(`Delete the rule “${rule.name}”? Its alarm is cleared and it stops being evaluated.`)) return;
    try {
      await del(`/api/rules/${rule.id}`);
      notice(status, `Rule “${rule.name}” deleted.`, 'ok');
    } catch (err) {
      notice(status, `Could not delete “${rule.name}”: ${describeError(err)}`, 'error');
    }
  }

  /** Someone else changed the rule being edited: say so rather than overwrite silently. */
  function watchEdited({ type, row }) {
    if (!editing || editing.id === null || row?.id !== editing.id) return;
    if (type === 'deleted') {
      notice(editorNotice, 'This rule has just been deleted elsewhere. Saving will fail; close the editor.', 'error');
    } else if (type === 'updated') {
      const reload = h('button', { type: 'button', class: 'button button--small' }, 'Load their version');
      reload.addEventListener('click', () => openEditor(rules.get(editing.id)));
      notice(editorNotice, 'This rule has just been changed elsewhere. Saving now overwrites their change. ', 'warning');
      editorNotice.append(reload);
    }
  }

  rules.onChange((change) => {
    if (change.type === 'loaded') loaded = true;
    render();
    if (change.row && change.type !== 'deleted') flash(change.row.id);
    watchEdited(change);
  });
  plcs.onChange(render);
  datapoints.onChange(render);

  byId('new-rule').addEventListener('click', () => openEditor(null));
  byId('rule-cancel').addEventListener('click', closeEditor);
  ruleForm.form.addEventListener('submit', save);
  editor.addEventListener('keydown', (e) => {
    // Not from a field: Escape there closes the field's own popup (datalist, select) and must keep the edits.
    if (e.key === 'Escape' && !e.target.closest('input, select, textarea')) closeEditor();
  });

  Promise.all([plcs.load(), datapoints.load()])
    .then(() => rules.load())
    .catch((err) => notice(status, `Could not load the rules: ${describeError(err)}`, 'error'));
  if (admin) startNotifiers({ client });
  connect();
}

function scheduleText(schedule) {
  const windows = schedule.windows.map((w) => `${formatDays(w.days)} ${w.start}–${w.end}`).join('; ');
  return `${windows} (${schedule.timezone})`;
}
