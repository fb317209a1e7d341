/**
 * The API reference's tables: a body's fields (from docs-schema.js rows, indented by depth) and an
 * operation's parameters. Everything from the document goes in as text; `code spans` become <code>.
 */
import { rulesOf, schemaRows, typeOf, withoutNull } from './docs-schema.js';
import { h } from './dom.js';

/** Text with `code spans` (as the document's descriptions write them) as text and <code> nodes. */
export function inlineCode(text) {
  return String(text ?? '')
    .split('`')
    .map((part, i) => (i % 2 ? h('code', {}, part) : part))
    .filter((part) => part !== '');
}

const requiredText = (required) => (required === null ? '' : required ? 'required' : 'optional');

function table(className, headings, rows) {
  const head = h(
    'tr',
    {},
    headings.map((c) => h('th', { scope: 'col' }, c)),
  );
  return h('div', { class: 'table-wrap' }, h('table', { class: `table ${className}` }, h('thead', {}, head), h('tbody', {}, rows)));
}

function typeCell(schema, nullable) {
  return h(
    'td',
    { class: 'schema-type', dataset: { label: 'Type' } },
    h('code', {}, typeOf(schema)),
    nullable ? h('span', { class: 'schema-nullable' }, 'nullable') : null,
  );
}

/** Each rule as its label and code values (`default 502`), then the description. */
function detailsCell(schema, description = schema.description) {
  return h(
    'td',
    { class: 'schema-details', dataset: { label: 'Details' } },
    rulesOf(schema).map(([label, values]) =>
      h(
        'span',
        { class: 'schema-rule', dataset: { rule: label } },
        `${label} `,
        values.map((value) => h('code', {}, value)),
      ),
    ),
    description ? h('span', { class: 'schema-description' }, inlineCode(description)) : null,
  );
}

function fieldRow(row) {
  const name = h('td', { class: 'schema-name', dataset: { label: 'Field' } }, h('code', {}, row.name));
  name.style.setProperty('--depth', String(row.depth)); // CSSOM, not a style="" attribute: the CSP allows it
  return h(
    'tr',
    { dataset: { path: row.path, required: requiredText(row.required) } },
    name,
    typeCell(row.schema, row.nullable),
    h('td', { class: 'schema-required', dataset: { label: 'Required' } }, requiredText(row.required)),
    detailsCell(row.schema),
  );
}

/** A request or response body's fields; each row carries `data-path` (`status.last_ok_at`, `plcs[].name`). */
export function schemaTable(schema) {
  return table('schema-table', ['Field', 'Type', 'Required', 'Details'], schemaRows(schema).map(fieldRow));
}

/** The parameters: name, where it goes, whether it is required, its type and rules. */
export function parameterTable(parameters) {
  const rows = parameters.map((p) => {
    const { schema, nullable } = withoutNull(p.schema ?? {});
    return h(
      'tr',
      { dataset: { name: p.name, in: p.in } },
      h('td', { class: 'schema-name', dataset: { label: 'Name' } }, h('code', {}, p.name)),
      h('td', { dataset: { label: 'In' } }, p.in),
      h('td', { class: 'schema-required', dataset: { label: 'Required' } }, requiredText(Boolean(p.required))),
      typeCell(schema, nullable),
      detailsCell(schema, p.description ?? schema.description),
    );
  });
  return table('schema-table param-table', ['Name', 'In', 'Required', 'Type', 'Details'], rows);
}
