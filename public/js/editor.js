/**
 * A side-panel editor for one resource: a form whose controls are named after the API fields,
 * filled from a row (or defaults for a new one), read back by field kind, saved with POST or
 * PATCH, with the API's validation errors placed next to their fields.
 */
import { byId, setText, show } from './dom.js';
import { clearErrors, showErrors } from './form-errors.js';

/** Reads a control by its kind: 'text', 'int', 'number' (empty -> null) or 'bool'. */
function readControl(control, kind) {
  if (kind === 'bool') return control.checked;
  if (kind === 'text') return control.value;
  return control.value.trim() === '' ? null : Number(control.value);
}

/**
 * `fields`: `{name: kind}`; `defaults`: values for a new row; `save(body, row)` returns the
 * saved row; `titles`: `{create, edit(row)}`; `onOpen(row)` may prepare selects.
 */
export function createEditor({ sectionId, formId, errorsId, titleId, fields, defaults, titles, save, onSaved, onOpen }) {
  const section = byId(sectionId);
  const form = byId(formId);
  const errors = byId(errorsId);
  const submit = form.querySelector('button[type="submit"]');
  let editing = null;
  let opener = null;

  function open(row) {
    opener = document.activeElement;
    editing = { row };
    onOpen?.(row);
    form.reset();
    const values = row ?? defaults;
    for (const [name, kind] of Object.entries(fields)) {
      const control = form.elements[name];
      const value = values[name];
      if (kind === 'bool') control.checked = Boolean(value);
      else control.value = value === null || value === undefined ? '' : String(value);
    }
    clearErrors(form, errors);
    setText(byId(titleId), row ? titles.edit(row) : titles.create);
    show(section, true);
    section.scrollIntoView({ block: 'nearest' });
    form.querySelector('input, select')?.focus();
  }

  function close() {
    editing = null;
    show(section, false);
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!editing) return;
    const body = {};
    for (const [name, kind] of Object.entries(fields)) body[name] = readControl(form.elements[name], kind);
    submit.disabled = true;
    try {
      const { row } = editing;
      const saved = await save(body, row);
      close();
      onSaved?.(saved, row);
    } catch (err) {
      showErrors(form, errors, err);
    } finally {
      submit.disabled = false;
    }
  });
  form.querySelector('[data-action="cancel"]').addEventListener('click', close);
  section.addEventListener('keydown', (e) => {
    // Not from a field: Escape there closes the field's own popup (datalist, select) and must keep the edits.
    if (e.key === 'Escape' && !e.target.closest('input, select, textarea')) close();
  });

  return {
    open,
    close,
    get editing() {
      return editing;
    },
  };
}
