import { toJsonSchema } from '@valibot/to-json-schema';
import type { MiddlewareHandler } from 'hono';
import { describeRoute, resolver, uniqueSymbol } from 'hono-openapi';
import * as v from 'valibot';
import { ErrorBody } from '../../kernel/errors.js';

/** The groups of the API reference, in the order `/docs` shows them. */
export const API_TAGS = [
  { name: 'auth', description: 'Sign-in, sign-out, stream tickets and the current user (SPEC 2, 10)' },
  { name: 'plant', description: 'PLCs, datapoints and rules (SPEC 3)' },
  { name: 'alarms', description: 'The active list, acknowledgement, shelving, out of service and suppression (SPEC 4, 13)' },
  { name: 'history', description: 'The journal, KPIs and trends (SPEC 4, 13)' },
  { name: 'notifiers', description: 'Webhook and MQTT notifications (SPEC 14)' },
  { name: 'users', description: 'User administration (SPEC 2)' },
  { name: 'items', description: "Each user's personal alarms and timers (SPEC 8)" },
  { name: 'streams', description: 'WebSocket and Server-Sent Events (SPEC 5-7)' },
  { name: 'operations', description: 'Health, statistics, metrics, cluster and configuration files (SPEC 9, 12)' },
] as const;

export type ApiTag = (typeof API_TAGS)[number]['name'];

/** What a route answers with a status: a JSON schema, no body, or another media type. */
export type ResponseDoc = v.GenericSchema | { description: string; content?: Record<string, v.GenericSchema> } | null;

/** A body of text (CSV, Prometheus, an event stream, a script). */
export const Text = v.string();

export interface RouteDoc {
  tag: ApiTag;
  summary: string;
  description?: string;
  /** The JSON body the route parses, with the same schema it parses it with. */
  body?: v.GenericSchema;
  /** True when the body may be left out (it is then taken as `{}`). */
  bodyOptional?: boolean;
  /** The query string the route parses (an object schema of strings). */
  query?: v.GenericSchema;
  /**
   * Any signed-in user may call it (routes that need a permission say so by `requirePermission`);
   * `stream`: a stream, which takes a ticket or the session cookie too.
   */
  signedIn?: boolean | 'stream';
  /** A permission the route checks by itself, not by `requirePermission` (the streams). */
  permission?: string;
  /** Request headers the route reads. */
  headers?: { name: string; description: string; schema: v.GenericSchema }[];
  /** Success answers by status; errors are added from what the route checks. */
  responses: Partial<Record<101 | 200 | 201 | 204 | 302 | 503, ResponseDoc>>;
}

/** Documents a route for `/openapi.json` (a middleware that does nothing at request time). */
export function routeDoc(doc: RouteDoc): MiddlewareHandler {
  // Error answers a route documents itself (healthz's 503) come before the generic ones.
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(doc.responses)) responses[status] = responseObject(response);
  if (doc.body || doc.query) responses['400'] = errorResponse('The request is invalid: `details` says where');
  responses.default = errorResponse('An error (SPEC 2)');
  const auth = doc.signedIn ? permissionSpec(doc.permission ?? null) : undefined;
  if (auth) Object.assign(responses, auth.responses);
  const parameters = [...(doc.query ? queryParameters(doc.query) : []), ...(doc.headers ?? []).map(headerParameter)];
  return describeRoute({
    ...(auth && { security: doc.signedIn === 'stream' ? STREAM_SECURITY : auth.security }),
    ...(auth && doc.permission && { 'x-permission': doc.permission }),
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description && { description: doc.description }),
    ...(parameters.length > 0 && { parameters: parameters as never }),
    ...(doc.body && {
      requestBody: {
        required: !doc.bodyOptional,
        content: { 'application/json': { schema: resolver(doc.body, { typeMode: 'input' }) } },
      },
    }),
    responses: responses as never,
  });
}

/**
 * Marks a middleware as documenting its route too: `requirePermission` says who may call, so
 * what the reference shows is what the route enforces.
 */
export function documenting<M extends MiddlewareHandler>(middleware: M, spec: Record<string, unknown>): M {
  return Object.assign(middleware, { [uniqueSymbol]: { spec } });
}

/** The security, errors and extension a permission check adds to a route's operation. */
export function permissionSpec(permission: string | null) {
  return {
    security: [{ bearer: [] }],
    ...(permission && { 'x-permission': permission }),
    responses: {
      '401': errorResponse('No valid bearer token'),
      ...(permission && { '403': errorResponse(`The user lacks \`${permission}\``) }),
    },
  };
}

export function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: resolver(ErrorBody) } } };
}

function responseObject(response: ResponseDoc) {
  if (response === null) return { description: 'No content' };
  if ('kind' in response) return { description: 'OK', content: { 'application/json': { schema: resolver(response) } } };
  const { description, content } = response;
  if (!content) return { description };
  return {
    description,
    content: Object.fromEntries(Object.entries(content).map(([media, schema]) => [media, { schema: resolver(schema) }])),
  };
}

const STREAM_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { ticket: [] }, { session: [] }];

function headerParameter(header: NonNullable<RouteDoc['headers']>[number]) {
  const schema = toJsonSchema(header.schema, { typeMode: 'input', errorMode: 'ignore' });
  delete schema.$schema;
  return { name: header.name, in: 'header' as const, required: false, description: header.description, schema };
}

/** A query schema's fields as OpenAPI query parameters (they arrive as strings). */
function queryParameters(query: v.GenericSchema) {
  const json = toJsonSchema(query, { typeMode: 'input', errorMode: 'ignore' }) as {
    properties?: Record<string, { description?: string }>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query' as const,
    required: json.required?.includes(name) ?? false,
    ...(schema.description && { description: schema.description }),
    schema,
  }));
}
