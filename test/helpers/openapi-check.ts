import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** The parts of an OpenAPI 3.1 document the checks read. */
export interface ApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

interface Operation {
  summary?: string;
  tags?: string[];
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

// Formats (date-time) are documentation here; the values' shapes are what is checked.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const validators = new WeakMap<object, ValidateFunction>();

/** Doc paths as patterns, fixed paths first so `/api/alarms/active` never reads as a parameter. */
function routeTable(doc: ApiDocument) {
  return Object.keys(doc.paths)
    .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
    .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
}
const tables = new WeakMap<ApiDocument, ReturnType<typeof routeTable>>();

/** The documented operation a request reaches, if any. */
export function operationOf(doc: ApiDocument, method: string, path: string): Operation | undefined {
  let table = tables.get(doc);
  if (!table) tables.set(doc, (table = routeTable(doc)));
  const bare = path.split('?')[0]!;
  const found = table.find((r) => r.pattern.test(bare));
  return found && doc.paths[found.path]![method.toLowerCase()];
}

/**
 * Throws unless the answer is what the document says the route answers: a documented status (or
 * `default`), a documented media type, and a JSON body valid against the documented schema.
 */
export function checkAnswer(
  doc: ApiDocument,
  request: { method: string; path: string },
  answer: { status: number; contentType: string | null; text: string },
): void {
  const where = `${request.method} ${request.path} -> ${answer.status}`;
  const operation = operationOf(doc, request.method, request.path);
  if (!operation) {
    if (answer.status === 404) return; // a route that does not exist: nothing to document
    throw new Error(`${where}: no such operation in /openapi.json`);
  }
  const response = operation.responses[String(answer.status)] ?? operation.responses.default;
  if (!response) throw new Error(`${where}: status not documented`);
  if (answer.text === '') {
    if (response.content && answer.status !== 204) throw new Error(`${where}: documented with a body, answered none`);
    return;
  }
  const media = (answer.contentType ?? '').split(';')[0]!.trim();
  const content = response.content?.[media];
  if (!content)
    throw new Error(`${where}: ${media || 'no content type'} not documented (${Object.keys(response.content ?? {}).join(', ')})`);
  if (media !== 'application/json' || !content.schema) return;
  let validate = validators.get(content.schema);
  if (!validate) validators.set(content.schema, (validate = ajv.compile(content.schema)));
  if (!validate(JSON.parse(answer.text))) {
    throw new Error(
      `${where}: body does not match /openapi.json: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${answer.text.slice(0, 500)}`,
    );
  }
}
