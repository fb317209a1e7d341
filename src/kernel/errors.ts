import * as v from 'valibot';

/** The closed set of error codes of SPEC section 2, each with its HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with a request, pointing at the field it concerns. */
export const ErrorDetail = v.strictObject({ path: v.string(), message: v.string() });
export type ErrorDetail = v.InferOutput<typeof ErrorDetail>;

/** The body of every error answer (SPEC 2). */
export const ErrorBody = v.strictObject({
  error: v.strictObject({
    code: v.picklist(Object.keys(ERROR_STATUS) as ErrorCode[]),
    message: v.string(),
    details: v.array(ErrorDetail),
  }),
});

/** The one error type of the server; the HTTP boundary turns it into the SPEC body. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: (typeof ERROR_STATUS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
/** The server cannot take this write now (the journal is degraded): try again after `retryAfterS`. */
export const unavailable = (message: string, retryAfterS = 1) =>
  new AppError('unavailable', message, [], { 'retry-after': String(retryAfterS) });
/** Too many of something at once: try again after `retryAfterS`. */
export const rateLimited = (message: string, retryAfterS = 1) =>
  new AppError('rate_limited', message, [], { 'retry-after': String(retryAfterS) });
export const invalid = (path: string, message: string) => new AppError('invalid_request', 'Invalid request', [{ path, message }]);
