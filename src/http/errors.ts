/**
 * Errors as RFC 9457 problem details (`application/problem+json`).
 *
 * Every error Volt sends has the same shape, so clients need one decoder:
 * `{ type, title, status, code, detail?, errors?: [{ loc, msg, type }] }`. `code` is stable
 * (`VOLT_HTTP_NOT_FOUND`, `VOLT_AUTH_NOT_AUTHENTICATED`…): the catalogue is `src/codes.ts`,
 * listed in docs/reference/errors.md.
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
  /** Stable machine-readable code of the problem, e.g. `VOLT_HTTP_VALIDATION`. */
  code: string;
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
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
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

/**
 * The code of a status when nothing more specific is known: `VOLT_HTTP_` and the reason phrase
 * (`VOLT_HTTP_NOT_FOUND` for 404, `VOLT_HTTP_CLIENT_ERROR` for a status with no phrase).
 */
export function codeOfStatus(status: number): string {
  return `VOLT_HTTP_${statusTitle(status)
    .toUpperCase()
    .replace(/[^A-Z]+/g, '_')}`;
}

/** Options of an {@link HttpError}. */
export interface HttpErrorOptions {
  /** Stable code of the problem (`SHOP_OUT_OF_STOCK`); by default `VOLT_HTTP_` and the status's phrase. */
  code?: string;
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
  /** Stable code, sent as the problem's `code`: see {@link HttpErrorOptions.code}. */
  readonly code: string;
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
    this.code = opts.code ?? codeOfStatus(status);
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
      code: this.code,
    };
    if (this.detail !== undefined) problem.detail = this.detail;
    if (this.errors !== undefined) problem.errors = this.errors;
    return problem;
  }
}

/** A 422 listing every failing field of a request. Stable code: `VOLT_HTTP_VALIDATION`. */
export class RequestValidationError extends HttpError {
  constructor(errors: FieldError[]) {
    super(422, { code: 'VOLT_HTTP_VALIDATION', detail: 'The request is not valid.', errors });
    this.name = 'RequestValidationError';
  }
}
