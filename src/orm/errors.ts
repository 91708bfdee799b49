/**
 * Database errors, the same classes on every dialect.
 *
 * Each dialect maps its driver's errors onto these (see `dialects/sqlite-errors.ts` and
 * `dialects/postgres-errors.ts`), so callers (the query layer, the HTTP error handler) branch
 * on a class, never on a driver's message or SQLSTATE. The driver's error is kept as `cause`.
 */

/** What a constraint error knows about the constraint that failed (each part when the driver says). */
export interface ConstraintInfo {
  table?: string;
  columns?: string[];
  constraint?: string;
}

/**
 * Any error raised by the database. `code` is the driver's code (a PostgreSQL SQLSTATE such as
 * `'42P01'`, or SQLite's extended result code as a string such as `'1'`).
 *
 * @example
 * ```ts
 * try { await db.run('insert into t values (?)', [1]); }
 * catch (error) { if (error instanceof DatabaseError) console.error(error.code, error.cause); }
 * ```
 */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
  /** The driver's error code, when it has one. */
  code: string | undefined;
  /** The SQL text that failed (never its parameters, which may hold secrets). */
  sql: string | undefined;

  constructor(message: string, options: { cause?: unknown; code?: string | undefined; sql?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.sql = options.sql;
  }
}

/** Base of the four constraint violations: carries the table, columns and constraint name when known. */
export class ConstraintViolationError extends DatabaseError {
  override name = 'ConstraintViolationError';
  table?: string;
  columns?: string[];
  constraint?: string;

  constructor(
    message: string,
    info: ConstraintInfo,
    options: { cause?: unknown; code?: string | undefined; sql?: string } = {},
  ) {
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
}

/** A foreign key points at a missing row, or a referenced row was deleted. */
export class ForeignKeyViolationError extends ConstraintViolationError {
  override name = 'ForeignKeyViolationError';
}

/** A NULL went into a NOT NULL column. */
export class NotNullViolationError extends ConstraintViolationError {
  override name = 'NotNullViolationError';
}

/** A CHECK constraint failed. */
export class CheckViolationError extends ConstraintViolationError {
  override name = 'CheckViolationError';
}

/**
 * The database is locked by someone else for longer than the busy timeout (SQLite's
 * `SQLITE_BUSY`, PostgreSQL's `lock_not_available`). Retrying later can succeed; the HTTP layer
 * answers 503 with `Retry-After`.
 */
export class DatabaseBusyError extends DatabaseError {
  override name = 'DatabaseBusyError';
}
