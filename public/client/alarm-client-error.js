/** Codes of the errors the client itself raises; server-reported errors keep the server's code. */
export const ERROR_CODES = Object.freeze({
  unauthenticated: 'unauthenticated', // credentials refused too many times in a row: gave up
  forbidden: 'forbidden', // 4403 or HTTP 403: gave up
  credentialsFailed: 'credentials_failed', // getToken/getTicket or the ticket request failed: retrying
  badFrame: 'bad_frame', // a message that is not JSON
  listenerFailed: 'listener_failed', // one of your callbacks threw
  closed: 'closed', // close() ended what was pending
});

/** A failure the client reports on its `error` event or rejects with. */
export class AlarmClientError extends Error {
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AlarmClientError';
    this.code = code;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.closeCode !== undefined) this.closeCode = extra.closeCode;
  }
}

/** An AlarmClientError from a non-2xx response with the SPEC 2 error body (or without one). */
export async function httpError(res) {
  let body;
  try {
    body = await res.json();
  } catch {
    // not JSON: a proxy's page
  }
  const code = body?.error?.code ?? `http_${res.status}`;
  return new AlarmClientError(code, body?.error?.message ?? `HTTP ${res.status}`, { status: res.status });
}
