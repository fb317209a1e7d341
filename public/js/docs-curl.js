/**
 * An operation's example request as a curl command: path parameters and the token as shell
 * variables ($ID, $TOKEN), and a JSON body built from the request schema's required fields.
 */
import { withoutNull } from './docs-schema.js';

const MAX_DEPTH = 8;

/** A plausible value for a schema: its default, const or first enum value, else one made from its type. */
export function exampleOf(schema, name = 'string', depth = 0) {
  const s = withoutNull(schema ?? {}).schema;
  if (s.default !== undefined) return s.default;
  if ('const' in s) return s.const;
  if (s.enum?.length) return s.enum[0];
  const variants = s.oneOf ?? s.anyOf;
  if (variants?.length) return exampleOf(variants[0], name, depth);
  const type = Array.isArray(s.type) ? s.type[0] : (s.type ?? (s.properties ? 'object' : undefined));
  switch (type) {
    case 'object': {
      if (depth >= MAX_DEPTH) return {};
      const keys = s.required?.length ? s.required : Object.keys(s.properties ?? {}).slice(0, 1);
      return Object.fromEntries(keys.map((key) => [key, exampleOf(s.properties?.[key], key, depth + 1)]));
    }
    case 'array':
      return depth >= MAX_DEPTH ? [] : Array.from({ length: s.minItems ?? 0 }, () => exampleOf(s.items, name, depth + 1));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'date-time') return '2030-01-01T00:00:00.000Z';
      return name.padEnd(s.minLength ?? 0, 'x');
    default:
      return null;
  }
}

/** Single quotes for the shell: the text as it is, each `'` closed, escaped and reopened. */
const shellQuote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;

/** `$RULE_ID` for `{rule_id}`. */
const shellVariable = (name) => `$${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;

/** The command, one option a line; `origin` is where this page was served from. */
export function curlOf(operation, origin) {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name) => shellVariable(name));
  const lines = [`curl${operation.method === 'get' ? '' : ` -X ${operation.method.toUpperCase()}`} "${origin}${path}"`];
  if (operation.access.kind !== 'public') lines.push('-H "Authorization: Bearer $TOKEN"');
  const schema = operation.body?.content?.['application/json']?.schema;
  if (schema && operation.body.required) {
    lines.push('-H "Content-Type: application/json"', `-d ${shellQuote(JSON.stringify(exampleOf(schema)))}`);
  }
  return lines.join(' \\\n  ');
}
