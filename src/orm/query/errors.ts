/**
 * The query layer's errors: a bad query (an unknown field, lookup or ordering name), a `get()`
 * that found no row or several, and an input that failed validation or a unique constraint.
 */
import type { FieldError } from '../validation.ts';

/**
 * A query names something the model does not have; thrown before any SQL is built.
 *
 * @example
 * ```ts
 * query(db, Book).filter({ titel: 'x' } as never); // QueryError: library.Book has no field 'titel'; …
 * ```
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  /** Stable code: `VOLT_ORM_QUERY`. */
  readonly code = 'VOLT_ORM_QUERY';
}

/** `get()` found no row. The HTTP layer answers 404. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'VOLT_ORM_NOT_FOUND';
}

/** `get()` found more than one row. */
export class MultipleFoundError extends Error {
  override readonly name = 'MultipleFoundError';
  readonly code = 'VOLT_ORM_MULTIPLE_FOUND';
}

/**
 * An input was refused: by `validateInput`, or by a unique constraint (`type: 'unique'`).
 * `errors` has the HTTP layer's shape (`loc`, `msg`, `type`); the HTTP layer answers 422, or
 * 409 when every error is `unique`.
 *
 * @example
 * ```ts
 * try { await query(db, Author).create({ ...ada }); }
 * catch (error) { if (error instanceof ValidationError) error.errors; } // [{ loc: ['email'], msg: '…', type: 'unique' }]
 * ```
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code = 'VOLT_ORM_VALIDATION';
  readonly errors: FieldError[];

  constructor(errors: FieldError[], options?: { cause?: unknown }) {
    super(errors.map((e) => `${e.loc.join('.') || '(input)'}: ${e.msg}`).join('; '), options);
    this.errors = errors;
  }
}
