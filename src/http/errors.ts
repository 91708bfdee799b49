/**
 * Errors as RFC 9457 problem details (`application/problem+json`).
 *
 * Every error Volt sends has the same shape, so clients need one decoder:
 * `{ type, title, status, detail?, errors?: [{ loc, msg, type }] }`.
 */

/** Where a validation error happened, FastAPI-style: `['body', 'tags', 2]`. */
export type ErrorLocation = ReadonlyArray<string | number>;

/** One failing field of a request. */
export interface FieldError {
  /** Path to the value: the request part first (`body`, `query`, `path`, `header`, `cookie`). */
  loc: ErrorLocation;
  /** A sentence a person can read. */
  msg: string;
  /** A stable machine-readable code such as `missing` or `string_too_long`. */
  type: string;
}

/** The body of every error response. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** The media type of error bodies. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The standard reason phrase of a status code (`Not Found` for 404). */
export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** Options of an {@link HttpError}. */
export interface HttpErrorOptions {
  /** A human explanation specific to this occurrence. */
  detail?: string;
  /** Field-level errors (mostly for 422). */
  errors?: FieldError[];
  /** A URI that identifies the problem type; `about:blank` by default. */
  type?: string;
  /** Overrides the standard title of the status. */
  title?: string;
  /** Response headers to send with the error, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  /** Extra members of the problem object. */
  extensions?: Record<string, unknown>;
  /** The underlying error, kept for logs, never sent. */
  cause?: unknown;
}

/**
 * An error that becomes an HTTP response. Throw it from a handler or a dependency.
 *
 * @example
 * ```ts
 * app.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, async (ctx) => {
 *   const item = items.get(ctx.params.id);
 *   if (!item) throw new HttpError(404, { detail: `No item ${ctx.params.id}` });
 *   return item;
 * });
 * ```
 */
export class HttpError extends Error {
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly type: string;
  readonly title: string;
  readonly headers: Record<string, string> | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(status: number, options: HttpErrorOptions | string = {}) {
    const opts: HttpErrorOptions = typeof options === 'string' ? { detail: options } : options;
    super(opts.detail ?? statusTitle(status), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HttpError';
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${status}`);
    }
    this.status = status;
    this.detail = opts.detail;
    this.errors = opts.errors;
    this.type = opts.type ?? 'about:blank';
    this.title = opts.title ?? statusTitle(status);
    this.headers = opts.headers;
    this.extensions = opts.extensions;
  }

  /** The problem+json body of this error. */
  toProblem(): ProblemDetails {
    const problem: ProblemDetails = {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
    };
    if (this.detail !== undefined) problem.detail = this.detail;
    if (this.errors !== undefined) problem.errors = this.errors;
    return problem;
  }
}

/** A 422 listing every failing field of a request. */
export class RequestValidationError extends HttpError {
  constructor(errors: FieldError[]) {
    super(422, { detail: 'The request is not valid.', errors });
    this.name = 'RequestValidationError';
  }
}
