/**
 * The catalogue of Volt's error codes, as Fastify's `FST_ERR_*`: every error Volt raises has a
 * stable `code` (`VOLT_<AREA>_<NAME>`), every problem+json Volt answers carries one, and every
 * settings problem has one. A code never changes meaning; messages may be reworded at any time,
 * so match on codes. docs/reference/errors.md lists the same table (a test keeps them in step, and
 * checks that every code in src/ is listed here).
 *
 * @example
 * ```ts
 * if (error.code === 'VOLT_ORM_NOT_FOUND') …
 * ERROR_CODES.VOLT_HTTP_VALIDATION; // { status: 422, meaning: 'The request is not valid: …' }
 * ```
 */

/** What a code means and, when Volt answers it as HTTP, the status. */
export interface ErrorCodeInfo {
  /** The HTTP status of the problem+json Volt answers with, when it answers with one. */
  readonly status?: number;
  /** One line: what happened. */
  readonly meaning: string;
}

/** Every code Volt uses, by area. */
export const ERROR_CODES = {
  // HTTP: problems the HTTP layer answers. Any HttpError without a code of its own gets
  // VOLT_HTTP_ and its status's reason phrase.
  VOLT_HTTP_VALIDATION: {
    status: 422,
    meaning: 'The request is not valid: `errors` lists each failing field.',
  },
  VOLT_HTTP_INVALID_JSON: {
    status: 400,
    meaning: 'The request body is not valid JSON, or has a `__proto__` key.',
  },
  VOLT_HTTP_SHUTTING_DOWN: {
    status: 503,
    meaning: 'The server is shutting down; retry after `Retry-After`.',
  },
  VOLT_HTTP_BAD_REQUEST: { status: 400, meaning: 'The request is malformed (the detail says how).' },
  VOLT_HTTP_UNAUTHORIZED: { status: 401, meaning: 'A 401 with no more specific code.' },
  VOLT_HTTP_FORBIDDEN: { status: 403, meaning: 'A 403 with no more specific code.' },
  VOLT_HTTP_NOT_FOUND: { status: 404, meaning: 'No route matches, or a handler found nothing.' },
  VOLT_HTTP_METHOD_NOT_ALLOWED: {
    status: 405,
    meaning: 'The path exists for other methods (`Allow` names them).',
  },
  VOLT_HTTP_NOT_ACCEPTABLE: { status: 406, meaning: 'No representation matches the `Accept` header.' },
  VOLT_HTTP_REQUEST_TIMEOUT: { status: 408, meaning: 'The request was not received within REQUEST_TIMEOUT.' },
  VOLT_HTTP_CONFLICT: { status: 409, meaning: 'A 409 with no more specific code.' },
  VOLT_HTTP_GONE: { status: 410, meaning: 'The resource is gone.' },
  VOLT_HTTP_LENGTH_REQUIRED: { status: 411, meaning: 'The request needs a Content-Length.' },
  VOLT_HTTP_PRECONDITION_FAILED: { status: 412, meaning: 'A 412 with no more specific code.' },
  VOLT_HTTP_CONTENT_TOO_LARGE: {
    status: 413,
    meaning: 'The body is larger than BODY_LIMIT (or a part limit).',
  },
  VOLT_HTTP_URI_TOO_LONG: { status: 414, meaning: 'The URL or a path parameter is longer than the limit.' },
  VOLT_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: "The body's Content-Type is not one the route accepts.",
  },
  VOLT_HTTP_UNPROCESSABLE_CONTENT: { status: 422, meaning: 'A 422 with no more specific code.' },
  VOLT_HTTP_TOO_MANY_REQUESTS: { status: 429, meaning: 'A 429 with no more specific code.' },
  VOLT_HTTP_CLIENT_CLOSED_REQUEST: {
    status: 499,
    meaning: 'The client left before the answer (seen in logs only).',
  },
  VOLT_HTTP_CLIENT_ERROR: { status: 400, meaning: 'A 4xx status with no standard reason phrase.' },
  VOLT_HTTP_INTERNAL_SERVER_ERROR: {
    status: 500,
    meaning: 'An unexpected error; the log line has the request id of `instance`.',
  },
  VOLT_HTTP_NOT_IMPLEMENTED: { status: 501, meaning: 'A 501 with no more specific code.' },
  VOLT_HTTP_BAD_GATEWAY: { status: 502, meaning: 'A 502 with no more specific code.' },
  VOLT_HTTP_SERVICE_UNAVAILABLE: { status: 503, meaning: 'A 503 with no more specific code.' },
  VOLT_HTTP_GATEWAY_TIMEOUT: { status: 504, meaning: 'A 504 with no more specific code.' },
  VOLT_HTTP_SERVER_ERROR: { status: 500, meaning: 'A 5xx status with no standard reason phrase.' },
  VOLT_SHUTDOWN: {
    meaning: 'The reason of `ctx.signal` when the app shuts down (an abort reason, not an answer).',
  },

  // Settings: SettingsError and the code of each of its problems.
  VOLT_SETTINGS_INVALID: { meaning: 'SettingsError: the settings do not load; `issues` lists each problem.' },
  VOLT_SETTINGS_INVALID_VALUE: {
    meaning: "A variable's value cannot be read (PORT=eighty, REQUEST_TIMEOUT=30x).",
  },
  VOLT_SETTINGS_REQUIRED: { meaning: "An installed app's required setting is not set." },
  VOLT_SETTINGS_CONFLICT: {
    meaning: 'Two settings contradict each other (HEADERS_TIMEOUT > REQUEST_TIMEOUT).',
  },
  VOLT_SETTINGS_DEBUG_IN_PRODUCTION: {
    meaning: 'DEBUG is on with VOLT_ENV=production (volt check: security.S001).',
  },
  VOLT_SETTINGS_WEAK_SECRET_KEY: {
    meaning: 'SECRET_KEY is missing or too weak for production (volt check: security.S002).',
  },
  VOLT_SETTINGS_WILDCARD_HOST: {
    meaning: 'ALLOWED_HOSTS contains "*" with VOLT_ENV=production (volt check: security.S003).',
  },

  // Security: the security layer and its stores.
  VOLT_SECURITY_HOST_NOT_ALLOWED: { status: 400, meaning: 'The Host header is not in ALLOWED_HOSTS.' },
  VOLT_SECURITY_CROSS_SITE: {
    status: 403,
    meaning: 'The browser sent an unsafe request for another site, not in CSRF_TRUSTED_ORIGINS.',
  },
  VOLT_SECURITY_THROTTLED: {
    status: 429,
    meaning: "A throttle's limit is reached; retry after `Retry-After`.",
  },
  VOLT_STORE_UNAVAILABLE: {
    status: 503,
    meaning: "A store's Redis cannot answer now; retry after `Retry-After`.",
  },
  VOLT_STORE_TIMEOUT: {
    meaning: 'A Redis command took longer than the guard allows (becomes VOLT_STORE_UNAVAILABLE).',
  },

  // Auth: voltjs/auth's routes and dependencies.
  VOLT_AUTH_NOT_AUTHENTICATED: {
    status: 401,
    meaning: 'No valid session or bearer token (`WWW-Authenticate` says which).',
  },
  VOLT_AUTH_PERMISSION_DENIED: { status: 403, meaning: 'The user lacks a permission the route requires.' },
  VOLT_AUTH_CSRF_FAILED: {
    status: 403,
    meaning: 'A session-authenticated unsafe request failed the CSRF check.',
  },
  VOLT_AUTH_LOGIN_FAILED: { status: 401, meaning: 'Wrong username or password (which one is not said).' },
  VOLT_AUTH_INVALID_GRANT: {
    status: 400,
    meaning: 'Wrong credentials at POST /auth/tokens (OAuth invalid_grant).',
  },
  VOLT_AUTH_TOO_MANY_ATTEMPTS: {
    status: 429,
    meaning: 'Too many failed logins or password checks; retry after `Retry-After`.',
  },
  VOLT_AUTH_PASSWORD_REQUIRED: {
    status: 400,
    meaning: 'The change needs the current password (currentPassword).',
  },
  VOLT_AUTH_PASSWORD_CONFIRMATION: {
    status: 400,
    meaning: 'The current password given is wrong or missing.',
  },
  VOLT_AUTH_PASSWORD_INVALID: { status: 422, meaning: 'The password validators refuse the new password.' },
  VOLT_AUTH_PASSWORD_MISMATCH: { status: 422, meaning: 'newPassword and confirmPassword differ.' },
  VOLT_AUTH_PASSWORD_CHANGED: {
    status: 409,
    meaning: 'The password was changed by another request meanwhile.',
  },
  VOLT_AUTH_RESET_LINK_INVALID: {
    status: 400,
    meaning: 'The password reset link is invalid or has expired.',
  },
  VOLT_AUTH_SITE_URL_MISSING: {
    status: 500,
    meaning: 'SITE_URL is not set, so a link cannot be mailed in production.',
  },
  VOLT_AUTH_POLICY: { meaning: 'definePolicy() was given something that is not a policy.' },
  VOLT_AUTH_UNKNOWN_PERMISSION: { meaning: 'A route requires a permission no model defines.' },

  // The admin (voltjs/admin).
  VOLT_ADMIN_DEFINITION: {
    meaning:
      'admin() or register() was given options that do not fit the model (the message names the option).',
  },
  VOLT_ADMIN_NOT_FOUND: {
    status: 404,
    meaning: 'An admin page of no registered model, or of a row the user may not see.',
  },
  VOLT_ADMIN_PERMISSION_DENIED: {
    status: 403,
    meaning: "A staff user asked an admin page or action their permissions or the model's policy refuse.",
  },
  VOLT_ADMIN_BAD_PARAMETER: {
    status: 400,
    meaning:
      'A change list parameter that is not declared (filters, sorting and search accept only declared fields) or is malformed.',
  },
  VOLT_ADMIN_OUT_OF_SCOPE: {
    status: 403,
    meaning:
      "An admin save that would put the row outside what the user may see or change (the model policy's scope); nothing is saved.",
  },

  // Model resources (voltjs/crud).
  VOLT_CRUD_DEFINITION: {
    meaning: 'resource() was given options that do not fit its model (the message names the option).',
  },
  VOLT_CRUD_NEEDS_AUTH: {
    meaning: 'A resource checks permissions but the app has no auth app installed.',
  },
  VOLT_CRUD_INVALID_PAGE: { status: 404, meaning: 'A page number past the last page of a list.' },
  VOLT_CRUD_PRECONDITION_FAILED: {
    status: 412,
    meaning: 'The row changed since the client read it: `If-Match` does not match its ETag.',
  },

  // Mail.
  VOLT_MAIL_INVALID_MESSAGE: {
    status: 422,
    meaning: 'A message to send is not valid (`errors` names the fields).',
  },
  VOLT_MAIL_DELIVERY: { meaning: 'The SMTP server refused or could not take a message.' },

  // OpenAPI document.
  VOLT_OPENAPI_DUPLICATE_OPERATION_ID: { meaning: 'Two routes have the same operationId.' },
  VOLT_OPENAPI_UNKNOWN_SECURITY_SCHEME: {
    meaning: 'A route names a security scheme the document does not define.',
  },
  VOLT_OPENAPI_SCHEMA_ID_CONFLICT: { meaning: 'Two different schemas have the same $id.' },

  // ORM: the same codes on every dialect; the HTTP layer answers them as shown.
  VOLT_ORM_DEFINITION: { meaning: 'A model or field definition is wrong.' },
  VOLT_ORM_QUERY: { meaning: 'A query is wrong (unknown field or lookup, bad value).' },
  VOLT_ORM_NOT_FOUND: { status: 404, meaning: 'get() found no row.' },
  VOLT_ORM_MULTIPLE_FOUND: { meaning: 'get() found more than one row.' },
  VOLT_ORM_VALIDATION: {
    status: 422,
    meaning: 'Values do not fit the model (409 when every error is a unique conflict).',
  },
  VOLT_ORM_PROTECTED: { status: 409, meaning: 'A delete is refused: PROTECT rows refer to the row.' },
  VOLT_ORM_RESTRICTED: { status: 409, meaning: 'A delete is refused: RESTRICT rows refer to the row.' },
  VOLT_ORM_DATABASE: { meaning: 'Any other error the database raised (`driverCode` has its own).' },
  VOLT_ORM_CONSTRAINT_VIOLATION: { meaning: 'A constraint was violated (each kind has its own code).' },
  VOLT_ORM_UNIQUE_VIOLATION: {
    status: 409,
    meaning: 'A unique constraint was violated by a write the ORM does not turn into field errors (raw SQL).',
  },
  VOLT_ORM_FOREIGN_KEY_VIOLATION: {
    status: 409,
    meaning:
      'A foreign key constraint was violated: a delete of a row still referenced (a relation whose database constraint has no onDelete handling), or raw SQL.',
  },
  VOLT_ORM_NOT_NULL_VIOLATION: { meaning: 'A NOT NULL constraint was violated.' },
  VOLT_ORM_CHECK_VIOLATION: { meaning: 'A CHECK constraint was violated.' },
  VOLT_ORM_DATABASE_BUSY: {
    status: 503,
    meaning: 'The database is busy (locked, too many connections); retry.',
  },
  VOLT_ORM_DATABASE_UNAVAILABLE: { status: 503, meaning: 'The database cannot be reached; retry.' },
  VOLT_ORM_ABORTED: {
    status: 504,
    meaning: 'The work was stopped: a time limit (504), the shutdown (503) or the client leaving (499).',
  },

  // Migrations.
  VOLT_MIGRATION: { meaning: 'A migration cannot be applied or unapplied.' },
  VOLT_MIGRATION_ANSWER: { meaning: 'makemigrations needs an answer a non-interactive run cannot give.' },
  VOLT_MIGRATION_GRAPH: {
    meaning: 'The migrations cannot be ordered (missing dependency, cycle, two leaves).',
  },
  VOLT_MIGRATION_HOOK: { meaning: "An installed app's post-migrate hook failed." },
  VOLT_MIGRATION_LOAD: { meaning: 'A migration file or folder cannot be loaded.' },
  VOLT_MIGRATION_OPERATION: { meaning: 'A migration operation is wrong.' },
  VOLT_MIGRATION_PLAN: { meaning: 'makemigrations was asked to write something it cannot.' },
  VOLT_MIGRATION_SCHEMA: { meaning: 'The schema editor cannot make a change on this database.' },
  VOLT_MIGRATION_STATE: { meaning: 'The migrations do not describe a consistent set of models.' },
  VOLT_MIGRATION_WRITE: { meaning: 'A migration file cannot be written.' },

  // CLI.
  VOLT_CLI_USAGE: { meaning: 'A mistake on the command line (exit code 2).' },
  VOLT_CLI_FAILED: { meaning: 'A command failed for a reason the message gives (exit code 1).' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A code of the catalogue. */
export type ErrorCode = keyof typeof ERROR_CODES;
