import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, unavailable, type ErrorCode } from '../../kernel/errors.js';
import { isStorageFault } from '../../journal/storage-fault.js';
import type { Logger } from '../../log/logger.js';

/** The SPEC 2 error body. */
export function errorResponse(c: Context, err: AppError): Response {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status);
}

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
};

/** The one error boundary: known errors keep their code, anything else is a bare 500. */
export function errorHandler(log: Logger) {
  return function handleError(err: Error, c: Context): Response {
    if (err instanceof AppError) return errorResponse(c, err);
    if (err instanceof HTTPException && HTTP_CODES[err.status]) {
      return errorResponse(c, new AppError(HTTP_CODES[err.status]!, err.message || 'Request failed'));
    }
    log.error(`${c.req.method} ${c.req.path}: ${err.stack ?? String(err)}`);
    // A full or failing disk under a write outside the journal: the same answer as the journal's.
    if (isStorageFault(err)) return errorResponse(c, unavailable(`The database cannot be written: ${err.message}`));
    return errorResponse(c, new AppError('internal', 'Internal server error'));
  };
}
