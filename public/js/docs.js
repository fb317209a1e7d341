/**
 * The API reference (/docs): every operation of /openapi.json under its tag, a filter, and an
 * anchor per operation (#post-api-plcs) that opens it. Public: it needs no session.
 */
import { describeError } from './api.js';
import { apiModel, loadApiDocument, matches, sanitizeAnchor } from './docs-model.js';
import { operationSection, tocEntry } from './docs-operation.js';
import { inlineCode } from './docs-tables.js';
import { byId, fill, h, notice, setText, show } from './dom.js';

const status = byId('docs-status');
notice(status, 'Loading the API document…', 'info');
loadApiDocument()
  .then((doc) => {
    notice(status, '');
    render(apiModel(doc));
  })
  .catch((err) => notice(status, `Could not load the API document: ${describeError(err)}`, 'error'));

function render(model) {
  const { info, groups } = model;
  setText(byId('docs-title'), info.title ?? 'API reference');
  fill(byId('docs-version'), info.version ? `Version ${info.version} · ` : '', h('a', { href: '/openapi.json' }, 'OpenAPI document'));
  fill(byId('docs-intro'), inlineCode(info.description));

  const shown = groups.map((group) => {
    const anchor = `tag-${sanitizeAnchor(group.name)}`;
    const entries = group.operations.map((op) => ({ op, toc: tocEntry(op), section: operationSection(op) }));
    return {
      entries,
      toc: h(
        'li',
        { class: 'toc-tag' },
        h('a', { href: `#${anchor}` }, group.name),
        h(
          'ul',
          {},
          entries.map((e) => e.toc),
        ),
      ),
      section: h(
        'section',
        { class: 'docs-tag', id: anchor, 'aria-labelledby': `${anchor}-title` },
        h('h2', { id: `${anchor}-title` }, group.name),
        group.description ? h('p', { class: 'muted' }, inlineCode(group.description)) : null,
        entries.map((e) => e.section),
      ),
    };
  });
  fill(
    byId('docs-toc'),
    shown.map((g) => g.toc),
  );
  fill(
    byId('docs-operations'),
    shown.map((g) => g.section),
  );

  const filter = byId('docs-filter');
  const total = model.operations.length;
  function applyFilter() {
    let count = 0;
    for (const group of shown) {
      let any = false;
      for (const { op, toc, section } of group.entries) {
        const hit = matches(op, filter.value);
        show(toc, hit);
        show(section, hit);
        any ||= hit;
        count += hit ? 1 : 0;
      }
      show(group.toc, any);
      show(group.section, any);
    }
    setText(byId('docs-count'), filter.value.trim() ? `${count} of ${total} operations` : `${total} operations`);
    show(byId('docs-none'), count === 0);
  }
  filter.addEventListener('input', applyFilter);
  applyFilter();

  /** Opens (and scrolls to) the operation or tag the URL's fragment names, raw (`#get-/api/plcs/{id}`) or sanitized. */
  function openFromHash() {
    const raw = location.hash.slice(1);
    if (!raw) return;
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // a malformed escape: look it up as written
    }
    const target = document.getElementById(decoded) ?? document.getElementById(sanitizeAnchor(decoded));
    if (!target || !byId('docs-operations').contains(target)) return;
    if (target.closest('[hidden]')) {
      filter.value = '';
      applyFilter();
    }
    if (target instanceof HTMLDetailsElement) target.open = true;
    target.scrollIntoView({ block: 'start' });
  }
  addEventListener('hashchange', openFromHash);
  // A link to the fragment already in the URL fires no hashchange: open it anyway (it may have been closed).
  byId('docs-toc').addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a') : null;
    if (link && link.hash === location.hash) {
      event.preventDefault();
      openFromHash();
    }
  });
  openFromHash();
}
