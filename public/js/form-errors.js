/**
 * Validation errors from the API next to the fields they name. A field is any element with
 * `data-path` (e.g. `schedule.windows.0.start`); an error goes to the deepest field whose path
 * is a prefix of the error's, and what matches no field goes to the form's summary.
 */
import { ApiError, describeError } from './api.js';
import { h } from './dom.js';

let nextId = 0;

/** Clears every error shown in `form` and its summary. */
export function clearErrors(form, summary) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && !id.startsWith('err-'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
  if (summary) {
    summary.replaceChildren();
    summary.hidden = true;
  }
}

function fieldFor(form, path) {
  const parts = String(path ?? '')
    .split('.')
    .filter(Boolean);
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join('.');
    const field = [...form.querySelectorAll('[data-path]')].find((el) => el.dataset.path === key);
    if (field) return field;
  }
  return null;
}

function markField(field, message) {
  const id = `err-${++nextId}`;
  const error = h('p', { class: 'field-error', id }, message);
  const control = field.matches('input, select, textarea') ? field : field.querySelector('input, select, textarea');
  if (field.matches('input, select, textarea')) field.after(error);
  else field.append(error);
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${id}` : id);
  }
  return control;
}

/**
 * Shows an API error on the form: each `details[]` entry by its field, the rest in `summary`
 * (a `role=alert` element). Focuses the first invalid control. Returns how many were placed.
 */
export function showErrors(form, summary, err) {
  clearErrors(form, summary);
  const leftover = [];
  let first = null;
  const details = err instanceof ApiError ? err.details : [];
  for (const d of details) {
    const field = fieldFor(form, d.path);
    if (field) {
      const control = markField(field, d.message); // not `first ??= markField()`: that skips every field after the first
      first ??= control;
    } else leftover.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  if (summary) {
    const placed = details.length - leftover.length;
    const headline = placed > 0 ? `${err.message}. Please correct the marked fields.` : leftover.length ? err.message : describeError(err);
    summary.append(h('p', {}, headline), ...leftover.map((m) => h('p', {}, m)));
    summary.hidden = false;
  }
  first?.focus();
  return details.length - leftover.length;
}
