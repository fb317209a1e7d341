import type { Context } from 'hono';
import * as v from 'valibot';
import { AppError } from '../../kernel/errors.js';

/** Parses input with a schema, or throws a 400 listing every problem with its path. */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const details = result.issues.map((issue) => ({
    path: v.getDotPath(issue) ?? '',
    message: issue.message,
  }));
  throw new AppError('invalid_request', `Invalid ${what}`, details);
}

/** Reads the request body as JSON; malformed JSON is a 400, not a 500. `emptyAs` allows no body. */
export async function readJson(c: Context, emptyAs?: unknown): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '' && emptyAs !== undefined) return emptyAs;
  if (text.trim() === '')
    throw new AppError('invalid_request', 'Request body must be a JSON object', [{ path: '', message: 'empty body' }]);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_request', 'Request body is not valid JSON', [{ path: '', message: (err as Error).message }]);
  }
}

/** Parses the JSON body with a schema. */
export async function jsonBody<S extends v.GenericSchema>(c: Context, schema: S, emptyAs?: unknown): Promise<v.InferOutput<S>> {
  return parseWith(schema, await readJson(c, emptyAs), 'request body');
}

/** Parses the query string with a schema (a strictObject: unknown parameters are errors). */
export function queryOf<S extends v.GenericSchema>(c: Context, schema: S): v.InferOutput<S> {
  return parseWith(schema, c.req.query(), 'query');
}
