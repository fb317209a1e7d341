/**
 * REST calls with the bearer token. A non-2xx answer becomes an ApiError with the SPEC 2 body
 * (`code`, `message`, `details[]`); a 401 ends the session and returns to sign-in.
 */
import { currentSession, returnToSignIn } from './session.js';

const TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  constructor(status, code, message, details = [], headers = new Headers()) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
    this.headers = headers;
  }
}

/**
 * `api('PATCH', '/api/rules/3', {enabled: false})` -> the parsed JSON (undefined for 204).
 * `options.headers` adds headers; `options.anonymous` sends no token and keeps a 401 as an error.
 */
export async function api(method, path, body, options = {}) {
  const headers = { accept: 'application/json', ...options.headers };
  if (!options.anonymous) {
    const session = currentSession();
    if (session) headers.authorization = `Bearer ${session.token}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch (err) {
    const timedOut = err?.name === 'TimeoutError';
    throw new ApiError(0, 'network', timedOut ? 'The server did not answer in time.' : 'Cannot reach the server.');
  }
  const text = res.status === 204 ? '' : await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json;
  const e = json?.error;
  const error = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `HTTP ${res.status}`, e?.details, res.headers);
  if (res.status === 401 && !options.anonymous) {
    returnToSignIn();
  }
  throw error;
}

export const get = (path) => api('GET', path);

/** A GET whose answer is a file (a CSV export): the body as a Blob, errors as `api` throws them. */
export async function download(path) {
  const session = currentSession();
  let res;
  try {
    res = await fetch(path, { headers: session ? { authorization: `Bearer ${session.token}` } : {}, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server.');
  }
  if (res.ok) return res.blob();
  const e = (await res.json().catch(() => undefined))?.error;
  if (res.status === 401) returnToSignIn();
  throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `HTTP ${res.status}`, e?.details, res.headers);
}
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path, options) => api('DELETE', path, undefined, options);

/** A one-line description of an error for a status line. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  if (err.status === 403) return `Not allowed: ${err.message}`;
  if (err.status === 429) {
    const after = err.headers.get('retry-after');
    return after ? `${err.message} (try again in ${after} s)` : err.message;
  }
  const details = err.details.filter((d) => d.message).map((d) => (d.path ? `${d.path}: ${d.message}` : d.message));
  return details.length ? `${err.message}: ${details.join('; ')}` : err.message;
}
