/**
 * Database errors, the same classes on every dialect.
 *
 * Each dialect maps its driver's errors onto these (see `dialects/sqlite/errors.ts` and
 * `dialects/postgres/errors.ts`), so callers (the query layer, the HTTP error handler) branch
 * on a class, never on a driver's message or SQLSTATE. The driver's error is kept as `cause`.
 *
 * Every class has a stable `code` (`VOLT_ORM_*`, the same on every dialect: what the HTTP layer
 * answers by), and the driver's own code, when it gave one, is `driverCode`.
 */

/** What a constraint error knows about the constraint that failed (each part when the driver says). */
export interface ConstraintInfo {
  table?: string;
  columns?: string[];
  constraint?: string;
}

/** What every database error can carry besides its message. */
export interface DatabaseErrorOptions {
  /** The driver's error, kept for the logs. */
  cause?: unknown;
  /** The driver's code (SQLSTATE, SQLite result code, or a system error code such as `ECONNREFUSED`). */
  driverCode?: string | undefined;
  /** The SQL text that failed. */
  sql?: string;
}

/**
 * Any error raised by the database. `code` is stable and names the class (`VOLT_ORM_DATABASE`
 * here; each subclass has its own); `driverCode` is the driver's code, when it gave one (a
 * PostgreSQL SQLSTATE such as `'42P01'`, SQLite's extended result code as a string such as
 * `'1'`, or a system error code such as `'ECONNREFUSED'`).
 *
 * @example
 * ```ts
 * try { await db.run('insert into t values (?)', [1]); }
 * catch (error) { if (error instanceof DatabaseError) console.error(error.code, error.driverCode); }
 * // VOLT_ORM_DATABASE 42P01
 * ```
 */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
  /** Stable code: `VOLT_ORM_DATABASE` (each subclass has its own). */
  readonly code: string = 'VOLT_ORM_DATABASE';
  /** The driver's error code, when it has one. */
  readonly driverCode: string | undefined;
  /** The SQL text that failed (never its parameters, which may hold secrets). */
  readonly sql: string | undefined;

  constructor(message: string, options: DatabaseErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.driverCode = options.driverCode;
    this.sql = options.sql;
  }
}

/** Base of the four constraint violations: carries the table, columns and constraint name when known. */
export class ConstraintViolationError extends DatabaseError {
  override name = 'ConstraintViolationError';
  /** Stable code: `VOLT_ORM_CONSTRAINT_VIOLATION` (each violation has its own). */
  override readonly code: string = 'VOLT_ORM_CONSTRAINT_VIOLATION';
  table?: string;
  columns?: string[];
  constraint?: string;

  constructor(message: string, info: ConstraintInfo, options: DatabaseErrorOptions = {}) {
    super(message, options);
    if (info.table !== undefined) this.table = info.table;
    if (info.columns !== undefined) this.columns = info.columns;
    if (info.constraint !== undefined) this.constraint = info.constraint;
  }
}

/**
 * A unique (or primary key) constraint failed. The HTTP layer answers 409.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof UniqueViolationError) console.log(error.columns); } // ['email']
 * ```
 */
export class UniqueViolationError extends ConstraintViolationError {
  override name = 'UniqueViolationError';
  /** Stable code: `VOLT_ORM_UNIQUE_VIOLATION`. */
  override readonly code = 'VOLT_ORM_UNIQUE_VIOLATION';
}

/** A foreign key points at a missing row, or a referenced row was deleted. */
export class ForeignKeyViolationError extends ConstraintViolationError {
  override name = 'ForeignKeyViolationError';
  /** Stable code: `VOLT_ORM_FOREIGN_KEY_VIOLATION`. */
  override readonly code = 'VOLT_ORM_FOREIGN_KEY_VIOLATION';
}

/** A NULL went into a NOT NULL column. */
export class NotNullViolationError extends ConstraintViolationError {
  override name = 'NotNullViolationError';
  /** Stable code: `VOLT_ORM_NOT_NULL_VIOLATION`. */
  override readonly code = 'VOLT_ORM_NOT_NULL_VIOLATION';
}

/** A CHECK constraint failed. */
export class CheckViolationError extends ConstraintViolationError {
  override name = 'CheckViolationError';
  /** Stable code: `VOLT_ORM_CHECK_VIOLATION`. */
  override readonly code = 'VOLT_ORM_CHECK_VIOLATION';
}

/**
 * The database is there but cannot take this work now: SQLite's write lock stayed held by
 * another connection for the whole `busyTimeoutMs`, no pooled PostgreSQL connection became free
 * within `connectionTimeoutMs`, PostgreSQL's `lock_timeout` ran out (`55P03`), or PostgreSQL
 * rolled the transaction back for a deadlock with a concurrent one (`40P01`) or a serialization
 * failure (`40001`). Retrying later can succeed; the HTTP layer answers 503 with `Retry-After`
 * (`retryAfter` seconds).
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof DatabaseBusyError) setTimeout(retry, error.retryAfter * 1000); }
 * ```
 */
export class DatabaseBusyError extends DatabaseError {
  override name = 'DatabaseBusyError';
  /** Stable code: `VOLT_ORM_DATABASE_BUSY` (the driver's is in `driverCode`). */
  override readonly code = 'VOLT_ORM_DATABASE_BUSY';
  /** Seconds after which a retry makes sense (the HTTP layer's `Retry-After`). */
  readonly retryAfter: number = 1;
}

/**
 * The database cannot be reached or refused the connection: the server is down or restarting
 * (`ECONNREFUSED`, `57P03`), it does not accept connections (`55000` when connecting, e.g.
 * `allow_connections` off), has too many (`53300`), or ended this session (`57P01`, a dropped
 * connection, a client that is no longer queryable). Nothing of an interrupted transaction is
 * kept. The HTTP layer answers 503 with `Retry-After` (`retryAfter` seconds).
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof DatabaseUnavailableError) log.warn(error.message); }
 * ```
 */
export class DatabaseUnavailableError extends DatabaseError {
  override name = 'DatabaseUnavailableError';
  /** Stable code: `VOLT_ORM_DATABASE_UNAVAILABLE` (the driver's is in `driverCode`). */
  override readonly code = 'VOLT_ORM_DATABASE_UNAVAILABLE';
  /** Seconds after which a retry makes sense (the HTTP layer's `Retry-After`). */
  readonly retryAfter: number = 5;
}

/**
 * Work on a `db.withSignal(signal)` view stopped because its signal aborted: a statement was
 * refused before it started, a running PostgreSQL statement was cancelled, or a PostgreSQL
 * transaction stopped because a cancel request sent for one of its statements could still reach
 * its connection. `cause` is the signal's reason. A transaction it interrupted was rolled back.
 * The HTTP layer answers 499 when the client has gone, 503 + `Retry-After` when the app is
 * shutting down (the reason's code is `VOLT_SHUTDOWN`), else 504 (a time limit of the server's).
 *
 * @example
 * ```ts
 * const rows = await db.withSignal(AbortSignal.timeout(2000)).all('select …'); // DatabaseAbortedError after 2 s
 * ```
 */
export class DatabaseAbortedError extends DatabaseError {
  override name = 'DatabaseAbortedError';
  /** Stable code: `VOLT_ORM_ABORTED` (the driver's, of a cancelled statement, is in `driverCode`). */
  override readonly code = 'VOLT_ORM_ABORTED';
}
