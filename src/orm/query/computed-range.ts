/**
 * The range an `F()` result must stay in: what the field's column holds and what its value
 * reads back as. Neither database keeps to it alone — SQLite stores any 64-bit integer (or a
 * float, or infinity) in any number column, and PostgreSQL's `bigint` holds integers past
 * what a JavaScript number holds exactly — so the update checks its result in the statement
 * itself, and a result out of range fails the statement: the `ValidationError` below, with
 * nothing written.
 */
import { sql } from 'kysely';
import { DatabaseError } from '../errors.ts';
import type { AnyField } from '../fields/field.ts';
import type { FieldError } from '../validation.ts';
import { ValidationError } from './errors.ts';
import type { CompiledExpression } from './refs.ts';

/** The range of each kind `F()` computes: the columns' ranges of `f.integer()`, `f.bigint()`, `f.float()`. */
const RANGE: Readonly<Record<string, readonly [number, number]>> = {
  integer: [-2147483648, 2147483647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  auto: [1, Number.MAX_SAFE_INTEGER],
  float: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

/**
 * `expression`, a value for `field`, checked in SQL against the field's range: within it the
 * value, else a failing statement. A NULL operand still gives NULL (`NULL between …` is not
 * true, and every step of the failing branch gives NULL for it).
 *
 * The failing branch is an integer overflow, on both databases (`abs()` of the smallest
 * 64-bit integer): an error SQLite raises too, which a `case` cannot do otherwise. It is
 * computed from the expression so that PostgreSQL does not fold it, as a constant, when it
 * plans the statement.
 */
export function rangeChecked(field: AnyField, expression: CompiledExpression): CompiledExpression {
  const [low, high] = RANGE[field.kind] ?? RANGE.float!;
  const e = expression.params;
  return {
    shape: `range(${expression.shape})`,
    params: [...e, low, high, ...e, ...e],
    sql: () =>
      sql`case when (${expression.sql()}) between ${low} and ${high} then (${expression.sql()}) else abs(${sql.raw('-9223372036854775807 - 1')} + 0 * cast((${expression.sql()}) as bigint)) end`,
  };
}

/**
 * `error` of an update that computed `fields` with `F()`, as a `ValidationError` on those
 * fields when the database refused a result — out of range (`rangeChecked`'s overflow, or
 * PostgreSQL's own: SQLSTATE 22003) or a division by zero (22012; SQLite gives NULL for it,
 * which a `not null` column refuses) — else `undefined`. The database does not say which
 * expression failed: with several, each is named.
 */
export function computedError(error: unknown, fields: readonly AnyField[]): ValidationError | undefined {
  if (fields.length === 0 || !(error instanceof DatabaseError)) return undefined;
  let issue: (field: AnyField) => FieldError;
  if (error.driverCode === '22003' || error.message === 'integer overflow') {
    issue = (field) => {
      const [low, high] = RANGE[field.kind] ?? RANGE.float!;
      return {
        loc: [field.attribute],
        msg: `The computed value should be from ${low} to ${high}`,
        type: 'out_of_range',
      };
    };
  } else if (error.driverCode === '22012') {
    issue = (field) => ({
      loc: [field.attribute],
      msg: 'The computed value divides by zero',
      type: 'zero_division',
    });
  } else return undefined;
  return new ValidationError(fields.map(issue), { cause: error });
}
