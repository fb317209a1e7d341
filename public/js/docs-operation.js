/**
 * One operation of the API reference, drawn twice: an entry in the contents and a collapsible
 * section (its id the deep-link anchor) with description, access, parameters, request body,
 * responses and an example curl command.
 */
import { curlOf } from './docs-curl.js';
import { inlineCode, parameterTable, schemaTable } from './docs-tables.js';
import { h } from './dom.js';

const ACCESS_TITLES = {
  permission: (label) => `Needs a bearer token of a user with the ${label} permission`,
  'signed-in': () => 'Needs a bearer token of any signed-in user',
  public: () => 'No token needed',
};

function accessBadge({ kind, label }) {
  return h('span', { class: `access access--${kind}`, title: ACCESS_TITLES[kind](label) }, label);
}

const methodBadge = (method) => h('span', { class: `method method--${method}` }, method.toUpperCase());

/** The contents entry: a link to the section. */
export function tocEntry(op) {
  return h(
    'li',
    { dataset: { operation: op.id } },
    h(
      'a',
      { href: `#${op.id}`, class: 'toc-op' },
      h('span', { class: 'toc-line' }, methodBadge(op.method), h('code', { class: 'op-path' }, op.path)),
      h('span', { class: 'toc-line' }, h('span', { class: 'toc-summary' }, op.summary), accessBadge(op.access)),
    ),
  );
}

/** The section, closed until opened or linked to; opening it puts its anchor in the address bar. */
export function operationSection(op) {
  const section = h(
    'details',
    { class: 'op card', id: op.id, dataset: { method: op.method, path: op.path } },
    h(
      'summary',
      { class: 'op-head' },
      methodBadge(op.method),
      h('code', { class: 'op-path' }, op.path),
      h('span', { class: 'op-summary' }, inlineCode(op.summary)),
      accessBadge(op.access),
    ),
    h(
      'div',
      { class: 'op-body' },
      op.description ? h('p', { class: 'op-description' }, inlineCode(op.description)) : null,
      h('p', { class: 'op-access' }, `${ACCESS_TITLES[op.access.kind](op.access.label)}.`),
      op.parameters.length ? [h('h3', {}, 'Parameters'), parameterTable(op.parameters)] : null,
      op.body ? requestBody(op.body) : null,
      h('h3', {}, 'Responses'),
      op.responses.map(([code, response]) => responseBlock(code, response)),
      h('h3', {}, 'Example'),
      example(curlOf(op, location.origin)),
    ),
  );
  // The open operation's link in the address bar, to copy and share (no hashchange, no jump).
  section.addEventListener('toggle', () => {
    if (section.open && location.hash !== `#${op.id}`) history.replaceState(null, '', `#${op.id}`);
  });
  return section;
}

/** The curl command, with a Copy button where the clipboard is available (secure contexts only). */
function example(command) {
  const copy = h('button', { type: 'button', class: 'button button--small curl-copy' }, 'Copy curl');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(command);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Copy failed: select the text';
    }
    setTimeout(() => (copy.textContent = 'Copy curl'), 2000);
  });
  return h('div', { class: 'curl' }, h('pre', {}, h('code', {}, command)), navigator.clipboard ? copy : null);
}

/** Flat, as h() flattens only one level of children. */
function requestBody(body) {
  return [
    h('h3', {}, 'Request body'),
    ...Object.entries(body.content ?? {}).flatMap(([media, { schema }]) => [
      h('p', { class: 'muted media' }, h('code', {}, media), body.required ? ' · required' : ' · optional'),
      h('div', { class: 'schema', dataset: { part: 'body' } }, schemaTable(schema)),
    ]),
  ];
}

/** A response status, open for success and closed for the errors every route shares. */
function responseBlock(code, response) {
  const success = /^[123]/.test(code);
  return h(
    'details',
    { class: 'response', open: success, dataset: { status: code } },
    h('summary', {}, h('span', { class: `status status--${success ? 'ok' : 'error'}` }, code), ' ', inlineCode(response.description)),
    Object.entries(response.content ?? {}).flatMap(([media, { schema }]) => [
      h('p', { class: 'muted media' }, h('code', {}, media)),
      h('div', { class: 'schema', dataset: { part: 'response' } }, schemaTable(schema)),
    ]),
  );
}
