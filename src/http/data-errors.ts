/**
 * The data layer's errors as HTTP answers. The HTTP core does not import the ORM: it recognizes
 * the ORM's errors by their stable `code` (`VOLT_ORM_*`), so a handler can let them escape.
 *
 * | code | status |
 * |---|---|
 * | `VOLT_ORM_NOT_FOUND` (`get()` found no row) | 404 |
 * | `VOLT_ORM_VALIDATION` (model validation or a constraint) | 422, or 409 when every error is `unique` |
 * | `VOLT_ORM_PROTECTED`, `VOLT_ORM_RESTRICTED` (delete refused by `onDelete`) | 409 |
 * | `VOLT_ORM_DATABASE_BUSY` (a lock or the pool stayed taken) | 503 + `Retry-After` |
 * | `VOLT_ORM_DATABASE_UNAVAILABLE` (the server is away or ended the session) | 503 + `Retry-After` |
 * | `VOLT_ORM_ABORTED` (a signal stopped the work), the client has left | 499 |
 * | `VOLT_ORM_ABORTED`, the app is shutting down (the signal's reason has code `VOLT_SHUTDOWN`) | 503 + `Retry-After` |
 * | `VOLT_ORM_ABORTED`, any other reason (a time limit of the server's: `AbortSignal.timeout()`) | 504 |
 *
 * Anything else from the ORM (a `QueryError` is a mistake in the code) stays a 500.
 */
import type { FastifyRequest } from 'fastify';
import { type FieldError, HttpError } from './errors.ts';

interface CodedError {
  readonly code?: unknown;
  readonly message: string;
  readonly errors?: unknown;
  readonly retryAfter?: unknown;
}

/**
 * Whether the client of `request` has gone: its connection is closed. (`request.raw.destroyed`
 * says nothing: Node destroys a request stream once its body has been read.)
 */
function clientGone(request: FastifyRequest): boolean {
  return request.raw.socket?.destroyed === true;
}

/** Whether the error (or a cause of it, such as an abort signal's reason) is the app's shutdown. */
function causedByShutdown(error: Error): boolean {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth++) {
    if ((cause as { code?: unknown }).code === 'VOLT_SHUTDOWN') return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Work stopped by a signal: 499 if the client left (nobody reads it; the access log shows why
 * the request ended); else the server stopped it while the client waits — at shutdown a 503 to
 * retry elsewhere or later, otherwise a time limit of its own ran out, a 504.
 */
function stoppedWork(error: Error, request: FastifyRequest): HttpError {
  if (clientGone(request)) {
    // nginx's "client closed request".
    return new HttpError(499, {
      title: 'Client Closed Request',
      detail: 'The request was aborted.',
      cause: error,
    });
  }
  if (causedByShutdown(error)) {
    return new HttpError(503, {
      code: 'VOLT_HTTP_SHUTTING_DOWN',
      detail: 'The server is shutting down. Try again shortly.',
      headers: { 'retry-after': '5' },
      cause: error,
    });
  }
  return new HttpError(504, {
    code: 'VOLT_ORM_ABORTED',
    detail: 'The database work took longer than the server allows.',
    cause: error,
  });
}

/**
 * Whether an error the data layer answers with a 5xx is logged as a warning rather than an
 * error: work the server stopped on purpose (a time limit, the shutdown) is not a fault.
 */
export function isStoppedWork(error: unknown): boolean {
  return error instanceof Error && (error as CodedError).code === 'VOLT_ORM_ABORTED';
}

/** A 503 whose `Retry-After` is the error's `retryAfter` (seconds), else `fallback`. */
function unavailable(error: Error, detail: string, fallback: number): HttpError {
  const { retryAfter, code } = error as CodedError;
  const seconds =
    typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0 ? retryAfter : fallback;
  return new HttpError(503, {
    code: String(code),
    detail,
    headers: { 'retry-after': String(seconds) },
    cause: error,
  });
}

function fieldErrors(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const valid = value.every(
    (e) =>
      typeof e === 'object' &&
      e !== null &&
      Array.isArray((e as FieldError).loc) &&
      typeof (e as FieldError).msg === 'string' &&
      typeof (e as FieldError).type === 'string',
  );
  return valid ? (value as FieldError[]) : undefined;
}

/**
 * The HTTP error for a data-layer error of `request`, or `undefined` when `error` is not one. A
 * validation error's locations are placed in the body (`['title']` → `['body', 'title']`), like
 * the request validation's 422s.
 *
 * @example
 * ```ts
 * app.get('/books/:id', { params }, (ctx) => query(db, Book).get({ id: ctx.params.id }));
 * // no such book → 404 problem+json: { detail: 'No library.Book matches the query' }
 * ```
 */
export function dataLayerError(error: unknown, request: FastifyRequest): HttpError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, message } = error as CodedError;
  if (typeof code !== 'string' || !code.startsWith('VOLT_ORM_')) return undefined;
  switch (code) {
    case 'VOLT_ORM_NOT_FOUND':
      return new HttpError(404, { code, detail: message, cause: error });
    case 'VOLT_ORM_PROTECTED':
    case 'VOLT_ORM_RESTRICTED':
      return new HttpError(409, { code, detail: message, cause: error });
    // A write the ORM does not turn into field errors (a delete of a row still referenced, raw
    // SQL): a conflict with the stored data. The driver's message names tables: it stays in the log.
    case 'VOLT_ORM_UNIQUE_VIOLATION':
    case 'VOLT_ORM_FOREIGN_KEY_VIOLATION':
      return new HttpError(409, { code, detail: 'The request conflicts with existing data.', cause: error });
    case 'VOLT_ORM_DATABASE_BUSY':
      // The driver's message names tables and timeouts: it stays in the log (cause).
      return unavailable(error, 'The database is busy. Try again shortly.', 1);
    case 'VOLT_ORM_DATABASE_UNAVAILABLE':
      return unavailable(error, 'The database is unavailable. Try again shortly.', 5);
    case 'VOLT_ORM_ABORTED':
      return stoppedWork(error, request);
    case 'VOLT_ORM_VALIDATION': {
      const errors = fieldErrors((error as CodedError).errors);
      if (!errors) return undefined;
      const conflict = errors.length > 0 && errors.every((e) => e.type === 'unique');
      return new HttpError(conflict ? 409 : 422, {
        code,
        detail: conflict ? 'The request conflicts with existing data.' : 'The request is not valid.',
        errors: errors.map((e) => ({ ...e, loc: ['body', ...e.loc] })),
        cause: error,
      });
    }
    default:
      return undefined;
  }
}
