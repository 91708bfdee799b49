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

/** Rows that stopped a delete: how many of one model point at the deleted rows through one field. */
export interface DeletionBlocker {
  /** The label of the model whose rows are in the way (`library.Loan`). */
  readonly model: string;
  /** Its foreign key pointing at a row being deleted (`book`). */
  readonly field: string;
  /** How many of its rows are in the way. */
  readonly count: number;
  /** The primary keys of the first few of them (at most 10). */
  readonly keys: readonly unknown[];
}

function describeBlockers(verb: string, label: string, blockers: readonly DeletionBlocker[]): string {
  const parts = blockers.map(
    (b) =>
      `${b.count} ${b.model} row${b.count === 1 ? '' : 's'} through ${b.model}.${b.field} (${b.keys.map((k) => JSON.stringify(k)).join(', ')}${b.count > b.keys.length ? ', …' : ''})`,
  );
  return `Cannot delete ${label} rows: they are ${verb} by ${parts.join('; ')}`;
}

/**
 * A delete was refused because rows point at the deleted rows through a foreign key declared
 * `onDelete: 'protect'` (also when they are reached through a cascade). Nothing was deleted.
 * A conflict (409) for an HTTP answer.
 *
 * @example
 * ```ts
 * try { await query(db, Book).filter({ id }).delete(); }
 * catch (error) { if (error instanceof ProtectedError) error.blockers; } // [{ model: 'library.Loan', field: 'book', count: 2, keys: [1, 4] }]
 * ```
 */
export class ProtectedError extends Error {
  override readonly name: string = 'ProtectedError';
  readonly code: string = 'VOLT_ORM_PROTECTED';
  /** The rows in the way, one entry per model and field. */
  readonly blockers: readonly DeletionBlocker[];

  constructor(label: string, blockers: readonly DeletionBlocker[], verb = 'protected') {
    super(describeBlockers(verb, label, blockers));
    this.blockers = blockers;
  }
}

/**
 * A delete was refused because rows point at the deleted rows through a foreign key declared
 * `onDelete: 'restrict'`, and those rows are not themselves deleted by the same delete (through
 * a cascade). Nothing was deleted. A conflict (409) for an HTTP answer.
 */
export class RestrictedError extends ProtectedError {
  override readonly name: string = 'RestrictedError';
  override readonly code: string = 'VOLT_ORM_RESTRICTED';

  constructor(label: string, blockers: readonly DeletionBlocker[]) {
    super(label, blockers, 'restricted');
  }
}
