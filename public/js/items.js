/**
 * My alarms and timers (SPEC 8): the user's own items, synced across their devices by `items`
 * events; every change is a PUT with `If-Match` of the version it was based on, so an edit made
 * meanwhile on another device is a 409 the user resolves, never a silent overwrite.
 */
import { api, ApiError, describeError, get } from './api.js';
import { byId, fill, h, notice, setText, show } from './dom.js';
import { clearErrors, showErrors } from './form-errors.js';
import { itemCard, timerFinished, whenText } from './item-card.js';
import { createItemForm } from './item-form.js';
import { createItemStore, newItemId } from './item-store.js';
import { startPage } from './shell.js';

const page = startPage({ topics: ['items'] });
if (page) main(page);

const put = (item, body, version) =>
  api('PUT', `/api/items/${encodeURIComponent(item)}`, body, version ? { headers: { 'if-match': String(version) } } : {});

function main({ client, connect }) {
  const store = createItemStore();
  const itemForm = createItemForm();
  const list = byId('items-list');
  const status = byId('page-status');
  const editor = byId('item-editor');
  const errors = byId('item-errors');
  const conflict = byId('item-conflict');
  const due = new Map(); // id -> due_at of an item_due not yet dismissed
  let editing = null; // {id, version (0: new), creating}
  let loaded = false;

  // --- the list --------------------------------------------------------------------------------

  function render() {
    // Cards are rebuilt; focus returns to the same control of the same item by its key.
    const focusKey = document.activeElement?.dataset?.focusKey;
    const items = [...store.items.values()].sort((a, b) => Number(due.has(b.id)) - Number(due.has(a.id)) || a.label.localeCompare(b.label));
    fill(
      list,
      items.map((item) => itemCard(item, due.get(item.id), cardActions)),
    );
    show(byId('items-empty'), loaded && items.length === 0);
    setText(byId('items-count'), String(items.length));
    if (focusKey) list.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  const cardActions = {
    run: (item) => quickChange(item, { timer: { ...item.timer, started_at: item.timer.started_at ? null : new Date().toISOString() } }),
    restart: (item) => quickChange(item, { timer: { ...item.timer, started_at: new Date().toISOString() } }),
    toggleEnabled: (item) => quickChange(item, { enabled: !item.enabled }),
    edit: (item) => openEditor(item),
    remove: (item) => removeItem(item),
    dismiss: (item) => {
      due.delete(item.id);
      render();
    },
  };

  /** The body of a PUT: the item without its bookkeeping. */
  function bodyOf(item) {
    const { kind, label, enabled } = item;
    return kind === 'alarm' ? { kind, label, enabled, alarm: item.alarm } : { kind, label, enabled, timer: item.timer };
  }

  async function quickChange(item, change) {
    try {
      store.apply(await put(item.id, { ...bodyOf(item), ...change }, item.version));
      render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        notice(
          status,
          `“${item.label}” was just changed on another device; this is the latest version now. Nothing was changed.`,
          'warning',
        );
        await store.sync().catch(() => {});
        render();
      } else notice(status, `Could not change “${item.label}”: ${describeError(err)}`, 'error');
    }
  }

  async function removeItem(item) {
    if (!confirm(`Delete “${item.label}” on all your devices?`)) return;
    try {
      await api('DELETE', `/api/items/${encodeURIComponent(item.id)}`, undefined, { headers: { 'if-match': String(item.version) } });
      await store.sync();
      notice(status, `“${item.label}” deleted.`, 'ok');
      render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409)
        notice(status, `“${item.label}” was changed on another device meanwhile; look again before deleting.`, 'warning');
      else notice(status, `Could not delete “${item.label}”: ${describeError(err)}`, 'error');
    }
  }

  // --- the editor ------------------------------------------------------------------------------

  function openEditor(item) {
    editing = item ? { id: item.id, version: item.version } : { id: newItemId(), version: 0 };
    setText(byId('item-editor-title'), item ? `Edit “${item.label}”` : 'New alarm or timer');
    itemForm.set(item);
    clearErrors(itemForm.form, errors);
    notice(byId('item-editor-notice'), '');
    show(conflict, false);
    show(editor, true);
    editor.scrollIntoView({ block: 'nearest' });
    byId('item-label').focus();
  }

  function closeEditor() {
    editing = null;
    show(editor, false);
    byId('new-item').focus();
  }

  async function save(version) {
    const body = itemForm.read();
    clearErrors(itemForm.form, errors);
    show(conflict, false);
    try {
      const saved = await put(editing.id, body, version);
      store.apply(saved);
      render();
      notice(status, `“${saved.label}” saved.`, 'ok');
      closeEditor();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) await showConflict(err);
      else showErrors(itemForm.form, errors, err);
    }
  }

  /** A 409: someone saved (or deleted) the item since this edit began. Show theirs; let the user choose. */
  async function showConflict(err) {
    let theirs = null;
    try {
      theirs = await get(`/api/items/${encodeURIComponent(editing.id)}`);
      store.apply(theirs);
      render();
    } catch {
      // 404: deleted meanwhile
    }
    const keep = h(
      'button',
      { type: 'button', class: 'button button--small button--primary' },
      theirs ? 'Save mine over theirs' : 'Create it again with my changes',
    );
    const take = h(
      'button',
      { type: 'button', class: 'button button--small' },
      theirs ? 'Discard mine, edit theirs' : 'Discard my changes',
    );
    keep.addEventListener('click', () => save(theirs ? theirs.version : undefined));
    take.addEventListener('click', () => (theirs ? openEditor(theirs) : closeEditor()));
    fill(
      conflict,
      h('p', {}, h('strong', {}, 'Conflict (409): '), err.message),
      theirs
        ? h(
            'p',
            {},
            `It was changed on another device (now version ${theirs.version}): “${theirs.label}”, ${whenText(theirs)}. Your changes are not saved yet.`,
          )
        : h('p', {}, 'It was deleted on another device. Your changes are not saved.'),
      h('div', { class: 'actions' }, keep, take),
    );
    show(conflict, true);
    keep.focus();
  }

  byId('new-item').addEventListener('click', () => openEditor(null));
  byId('item-cancel').addEventListener('click', closeEditor);
  itemForm.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (editing) void save(editing.version || undefined);
  });
  editor.addEventListener('keydown', (e) => {
    // Not from a field: Escape there closes the field's own popup (datalist, select) and must keep the edits.
    if (e.key === 'Escape' && !e.target.closest('input, select, textarea')) closeEditor();
  });

  // --- live ------------------------------------------------------------------------------------

  for (const type of ['item_created', 'item_updated', 'item_deleted']) {
    client.on(type, (e) => {
      if (!store.apply(e.item)) return;
      if (editing && e.item?.id === editing.id && e.item.version > editing.version) {
        notice(
          byId('item-editor-notice'),
          e.item.deleted
            ? 'Deleted on another device while you were editing.'
            : 'Changed on another device while you were editing; saving will ask what to keep.',
          'warning',
        );
      }
      render();
    });
  }
  client.on('item_due', (e) => {
    if (!e.item?.id) return;
    due.set(e.item.id, e.due_at ?? e.ts);
    render();
  });
  client.on('snapshot', () => {
    if (loaded) store.sync().then(render, () => {});
  });
  // After sync_required the feed position may be meaningless too: start over.
  client.on('sync_required', () => {
    store.resync().then(render, () => {});
  });

  // Countdowns tick every second; a timer that has just run out gets its finished buttons.
  setInterval(() => {
    let ended = false;
    for (const el of list.querySelectorAll('.item-card[data-kind="timer"] .item-when')) {
      const item = store.items.get(el.dataset.when);
      if (!item?.timer.started_at) continue;
      setText(el, whenText(item));
      if (timerFinished(item) && el.closest('.item-card').dataset.finished === 'false') ended = true;
    }
    if (ended) render();
  }, 1000);

  store
    .sync()
    .then(() => {
      loaded = true;
      render();
    })
    .catch((err) => notice(status, `Could not load your items: ${describeError(err)}`, 'error'));
  connect();
}
