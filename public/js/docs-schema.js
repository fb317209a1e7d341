/**
 * JSON Schema, as /openapi.json carries it, read as rows to show: one row per field, with nested
 * objects, array items and union variants one level deeper than their parent, a `null`
 * alternative turned into a `nullable` flag, and each rule (enum, default, range...) as text.
 * No DOM here: docs-tables.js draws the rows.
 */

const MAX_DEPTH = 12; // the document has no $ref, so no cycles; this only bounds a malformed one

/** `{schema, nullable}`: the schema without its `null` alternative (anyOf, oneOf or a type list). */
export function withoutNull(schema) {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.some((s) => s.type === 'null')) {
    const { anyOf, oneOf, ...own } = schema;
    const rest = alternatives.filter((s) => s.type !== 'null');
    return { schema: rest.length === 1 ? { ...own, ...rest[0] } : { ...own, [anyOf ? 'anyOf' : 'oneOf']: rest }, nullable: true };
  }
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const types = schema.type.filter((t) => t !== 'null');
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema, nullable: false };
}

/** A short type: `integer`, `array of object`, `map of number`, `2 variants`, `any`. */
export function typeOf(schema) {
  if ('const' in schema) return schema.const === null ? 'null' : typeof schema.const;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (schema.type === 'array') return schema.items ? `array of ${typeOf(withoutNull(schema.items).schema)}` : 'array';
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return `${variants.length} variants`;
  if (schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object')
    return `map of ${typeOf(schema.additionalProperties)}`;
  if (schema.type) return schema.type;
  if (schema.enum) return 'enum';
  return schema.properties ? 'object' : 'any';
}

const range = (min, max) => (min !== undefined && max !== undefined ? `${min} … ${max}` : min !== undefined ? `≥ ${min}` : `≤ ${max}`);

/** True when an array item gets rows of its own (an object, an array, a union); else it is described on the array's row. */
const hasRows = (item) => item.type === 'object' || item.type === 'array' || Boolean(item.properties || item.oneOf || item.anyOf);

/** The schema's rules as `[label, values[]]`: allowed values, default, ranges, lengths, pattern, format. */
export function rulesOf(s) {
  const rules = [];
  if ('const' in s) rules.push(['always', [JSON.stringify(s.const)]]);
  if (s.enum) rules.push(['one of', s.enum.map((e) => JSON.stringify(e))]);
  if (s.default !== undefined) rules.push(['default', [JSON.stringify(s.default)]]);
  if (s.minimum !== undefined || s.maximum !== undefined) rules.push(['range', [range(s.minimum, s.maximum)]]);
  if (s.exclusiveMinimum !== undefined) rules.push(['above', [String(s.exclusiveMinimum)]]);
  if (s.exclusiveMaximum !== undefined) rules.push(['below', [String(s.exclusiveMaximum)]]);
  if (s.minLength !== undefined || s.maxLength !== undefined) rules.push(['length', [range(s.minLength, s.maxLength)]]);
  if (s.minItems !== undefined || s.maxItems !== undefined) rules.push(['items', [range(s.minItems, s.maxItems)]]);
  if (s.pattern) rules.push(['pattern', [s.pattern]]);
  if (s.format) rules.push(['format', [s.format]]);
  // An array of plain values has no rows under it: its items' rules go on its own row.
  const item = s.type === 'array' && s.items ? withoutNull(s.items).schema : null;
  if (item && !hasRows(item)) for (const [label, values] of rulesOf(item)) rules.push([`each ${label}`, values]);
  return rules;
}

/** A union variant's name: its discriminator (`kind = "webhook"`) when it has one, else its number. */
function variantName(variant, i) {
  const tag = Object.entries(variant.properties ?? {}).find(([, p]) => 'const' in p);
  return tag ? `${tag[0]} = ${JSON.stringify(tag[1].const)}` : `variant ${i + 1}`;
}

/** The rows under a schema: an object's fields, a map's values, an array's item fields, a union's variants. */
function childrenOf(s, path) {
  if (s.type === 'array') {
    const item = s.items ? withoutNull(s.items).schema : {};
    return hasRows(item) ? childrenOf(item, `${path}[]`) : [];
  }
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return variants.map((v, i) => ({ name: variantName(v, i), path: `${path}(${i + 1})`, required: null, schema: v }));
  const required = new Set(s.required ?? []);
  const fields = Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    name,
    path: path ? `${path}.${name}` : name,
    required: required.has(name),
    schema,
  }));
  if (typeof s.additionalProperties === 'object')
    fields.push({ name: '{key}', path: path ? `${path}.{key}` : '{key}', required: false, schema: s.additionalProperties });
  return fields;
}

function rowsOf(field, depth, rows) {
  const { schema, nullable } = withoutNull(field.schema);
  rows.push({ ...field, schema, nullable, depth });
  if (depth < MAX_DEPTH) for (const child of childrenOf(schema, field.path)) rowsOf(child, depth + 1, rows);
}

/**
 * The rows of a body: `{name, path, depth, required (true, false, or null for a variant or the
 * whole body), nullable, schema}`. An object's fields start at depth 0; anything else is one
 * `(body)` row with its parts under it.
 */
export function schemaRows(schema) {
  const root = withoutNull(schema ?? {});
  const plainObject = root.schema.properties && !root.nullable && !root.schema.oneOf && !root.schema.anyOf;
  const rows = [];
  if (plainObject) for (const child of childrenOf(root.schema, '')) rowsOf(child, 0, rows);
  else rowsOf({ name: '(body)', path: '', required: null, schema: schema ?? {} }, 0, rows);
  return rows;
}
