/** Edit and Delete buttons in a table row's actions cell, named after the row for screen readers. */
import { h } from './dom.js';

/** `current()` is the row's data now; `handlers`: `{edit(row), remove(row)}`. Returns `{label(name)}`. */
export function addRowActions(tr, current, handlers) {
  const edit = h('button', { type: 'button', class: 'button button--small' }, 'Edit');
  const remove = h('button', { type: 'button', class: 'button button--small button--danger-quiet' }, 'Delete');
  edit.addEventListener('click', () => handlers.edit(current()));
  remove.addEventListener('click', () => handlers.remove(current()));
  tr.append(h('td', { class: 'col-actions', dataset: { label: 'Actions' } }, h('div', { class: 'actions' }, edit, remove)));
  return {
    label(name) {
      edit.setAttribute('aria-label', `Edit ${name}`);
      remove.setAttribute('aria-label', `Delete ${name}`);
    },
  };
}
