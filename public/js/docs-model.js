/**
 * The API reference's model: GET /openapi.json read into the document's tags, each with its
 * operations in document order, and who may call each one (a permission, any signed-in user, anyone).
 */
import { api } from './api.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

/** The OpenAPI document; public, so no token is sent and a 401 is not a reason to sign in. */
export function loadApiDocument() {
  return api('GET', '/openapi.json', undefined, { anonymous: true });
}

/** `post-api-plcs-id` from `post-/api/plcs/{id}`: lower-case letters, digits and dashes, safe in a URL and a selector. */
export function sanitizeAnchor(text) {
  return String(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Who may call an operation. A security requirement `{}` among the others means a token is optional. */
function accessOf(op, defaultSecurity) {
  if (op['x-permission']) return { kind: 'permission', label: String(op['x-permission']) };
  const security = op.security ?? defaultSecurity ?? [];
  const needsToken = security.length > 0 && security.every((req) => Object.keys(req).length > 0);
  return needsToken ? { kind: 'signed-in', label: 'signed-in' } : { kind: 'public', label: 'public' };
}

/** Path-level parameters, overridden by the operation's own of the same name and place. */
function parametersOf(item, op) {
  const byKey = new Map();
  for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) byKey.set(`${p.in}:${p.name}`, p);
  return [...byKey.values()];
}

/** `{info, groups: [{name, description, operations}], operations}`; tags no operation uses are left out. */
export function apiModel(doc) {
  const groups = new Map((doc.tags ?? []).map((t) => [t.name, { name: t.name, description: t.description ?? '', operations: [] }]));
  const anchors = new Set();
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!groups.has(tag)) groups.set(tag, { name: tag, description: '', operations: [] });
      let id = sanitizeAnchor(`${method}-${path}`);
      for (let n = 2; anchors.has(id); n++) id = `${sanitizeAnchor(`${method}-${path}`)}-${n}`;
      anchors.add(id);
      const operation = {
        id,
        method,
        path,
        tag,
        summary: op.summary ?? '',
        description: op.description ?? '',
        access: accessOf(op, doc.security),
        parameters: parametersOf(item, op),
        body: op.requestBody ?? null,
        responses: Object.entries(op.responses ?? {}),
      };
      operation.text = [
        method,
        path,
        tag,
        operation.summary,
        operation.description,
        operation.access.label,
        ...operation.parameters.map((p) => p.name),
      ]
        .join(' ')
        .toLowerCase();
      groups.get(tag).operations.push(operation);
      operations.push(operation);
    }
  }
  return { info: doc.info ?? {}, groups: [...groups.values()].filter((g) => g.operations.length), operations };
}

/** True when every word of `query` is in the operation's method, path, tag, summary, description, access or parameter names. */
export function matches(operation, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => operation.text.includes(word));
}
