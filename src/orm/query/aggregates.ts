/**
 * Aggregates: `count`, `sum`, `avg`, `min` and `max` over a field or a relation path, used by
 * `aggregate()` (one value over the matching rows), `annotate()` (one value per row) and
 * `groupBy().aggregate()` (one value per group). The names a caller gives the results never
 * reach the SQL: columns are aliased `volt_a0`, `volt_a1`… and renamed when read.
 */

import { type RawBuilder, sql } from 'kysely';
import { parseExact } from '../decimal.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { DecimalField } from '../fields/number.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import { type Operand, orderable } from './lookup-sql.ts';
import { concreteField, follow, hop, type Path, pathFrom, unknownName } from './paths.ts';
import type { Lookup } from './types.ts';

const AGGREGATE: unique symbol = Symbol.for('volt.orm.aggregate');

/** The aggregate functions. */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max';

/**
 * An aggregate of the values at `path` (a row key or a relation path such as
 * `reviews__rating`); build one with `count`, `sum`, `avg`, `min` or `max`.
 */
export interface Aggregate<F extends AggregateFunction = AggregateFunction, P extends string = string> {
  readonly [AGGREGATE]: true;
  readonly fn: F;
  /** `undefined` for `count()`: the rows themselves. */
  readonly path: P | undefined;
  /** `count(path, { distinct: true })`: distinct values only. */
  readonly distinct: boolean;
}

function build<F extends AggregateFunction, P extends string>(
  fn: F,
  path: P | undefined,
  distinct = false,
): Aggregate<F, P> {
  if (path !== undefined && (typeof path !== 'string' || path === ''))
    throw new QueryError(`${fn}(): name a field or a relation path, like 'price' or 'reviews__rating'`);
  return Object.freeze({ [AGGREGATE]: true as const, fn, path, distinct });
}

/**
 * How many rows: `count()` counts the rows themselves, `count('reviews')` the related rows,
 * `count('editorId')` the non-null values; `{ distinct: true }` counts distinct values.
 *
 * @example
 * ```ts
 * await query(db, Book).aggregate({ n: count(), reviewed: count('reviews__bookId', { distinct: true }) });
 * ```
 */
export function count<P extends string = never>(
  path?: P,
  options?: { distinct?: boolean },
): Aggregate<'count', P> {
  return build('count', path, options?.distinct ?? false);
}

/**
 * The sum of a number or decimal field (`null` over no rows); a decimal's sum is an exact
 * string with the field's places, on both databases.
 *
 * @example
 * ```ts
 * await query(db, Book).aggregate({ total: sum('price') }); // { total: '29.40' }
 * ```
 */
export function sum<P extends string>(path: P): Aggregate<'sum', P> {
  return build('sum', path);
}

/**
 * The average of a number or decimal field (`null` over no rows): a JavaScript number, or for
 * a decimal an exact decimal string at the precision of PostgreSQL's `avg(numeric)` (at least
 * 16 significant digits and the field's places), on both databases.
 *
 * @example
 * ```ts
 * await query(db, Book).annotate({ rating: avg('reviews__rating') }).all();
 * await query(db, Book).aggregate({ mean: avg('price') }); // { mean: '14.7000000000000000' }
 * ```
 */
export function avg<P extends string>(path: P): Aggregate<'avg', P> {
  return build('avg', path);
}

/**
 * The smallest value of a field (`null` over no rows), typed and converted like the field.
 *
 * @example
 * ```ts
 * await query(db, Book).aggregate({ first: min('created') }); // { first: Date }
 * ```
 */
export function min<P extends string>(path: P): Aggregate<'min', P> {
  return build('min', path);
}

/**
 * The largest value of a field (`null` over no rows), typed and converted like the field.
 *
 * @example
 * ```ts
 * await query(db, Author).annotate({ latest: max('bookSet__created') }).all();
 * ```
 */
export function max<P extends string>(path: P): Aggregate<'max', P> {
  return build('max', path);
}

/** `true` for a value built by `count`, `sum`, `avg`, `min` or `max`. */
function isAggregate(value: unknown): value is Aggregate {
  return typeof value === 'object' && value !== null && (value as { [AGGREGATE]?: true })[AGGREGATE] === true;
}

const NAME = /^[A-Za-z][A-Za-z0-9]*$/u;
const NUMERIC_KINDS = new Set(['auto', 'integer', 'bigint', 'float', 'decimal']);

/** An aggregate resolved against a model: what it reads, and how to convert what it returns. */
export interface ResolvedAggregate {
  /** The name the caller gave it. */
  readonly name: string;
  /** The SQL alias (`volt_a0`). */
  readonly alias: string;
  readonly aggregate: Aggregate;
  /** The relations followed before the field (none for a field of the model itself). */
  readonly path: Path | undefined;
  /** The field aggregated; `undefined` for counting rows. */
  readonly field: AnyField | undefined;
  /** The value as JavaScript. */
  read(raw: unknown, ops: DialectOps): unknown;
  /** The shape of the aggregate, for the compiled-SQL cache. */
  readonly shape: string;
}

/**
 * Checks a spec (`{ total: sum('price') }`) against `model`: names must be identifiers that are
 * not fields of the model; paths are resolved hop by hop; `sum` and `avg` need a number.
 */
export function resolveAggregates(
  model: AnyModel,
  spec: Record<string, unknown>,
  where: string,
  taken: readonly string[] = [],
): ResolvedAggregate[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new QueryError(`${where}: give an object of aggregates, like { total: sum('price') }`);
  const entries = Object.entries(spec);
  if (entries.length === 0) throw new QueryError(`${where}: give at least one aggregate`);
  return entries.map(([name, aggregate], i) => {
    if (!NAME.test(name))
      throw new QueryError(
        `${where}: '${name}' cannot name a result; use letters and digits, like 'reviewCount'`,
      );
    if (concreteField(model, name) || model.meta.hasField(name) || hop(model, name))
      throw new QueryError(
        `${where}: '${name}' is already a field or relation of ${model.meta.label}; pick another name`,
      );
    if (taken.includes(name))
      throw new QueryError(
        `${where}: '${name}' is already a field or annotation of ${model.meta.label}; pick another name`,
      );
    if (!isAggregate(aggregate))
      throw new QueryError(
        `${where}: '${name}' should be count(), sum(), avg(), min() or max(), got ${String(aggregate)}`,
      );
    return resolveOne(model, name, `volt_a${taken.length + i}`, aggregate, where);
  });
}

function resolveOne(
  model: AnyModel,
  name: string,
  alias: string,
  aggregate: Aggregate,
  where: string,
): ResolvedAggregate {
  const { fn } = aggregate;
  let path: Path | undefined;
  let field: AnyField | undefined;
  if (aggregate.path !== undefined) {
    const names = aggregate.path.split('__');
    const last = names.pop()!;
    path = names.length ? follow(model, names, where) : undefined;
    const at = path?.model ?? model;
    field = concreteField(at, last);
    if (!field) {
      if (!hop(at, last)) throw unknownName(at, last, where);
      if (fn !== 'count')
        throw new QueryError(
          `${where}: ${fn}('${aggregate.path}') needs a field after the relation '${last}'`,
        );
      path = follow(model, [...names, last], where);
    }
  }
  if ((fn === 'sum' || fn === 'avg') && !NUMERIC_KINDS.has(field!.kind))
    throw new QueryError(
      `${where}: ${fn}() needs a number or decimal field, and '${aggregate.path}' is a ${field!.kind} field`,
    );
  const read = (raw: unknown, ops: DialectOps): unknown => {
    if (fn === 'count') return Number(raw ?? 0);
    if (raw === null || raw === undefined) return null;
    if (field!.kind === 'decimal') {
      // Exact on both databases (ops.decimalAggregate); an average keeps PostgreSQL's scale,
      // a sum, min or max has the field's places.
      const text = ops.decimalAggregateFromDb(raw);
      return fn === 'avg' ? text : (field as DecimalField).canonical(text);
    }
    if (fn === 'avg' || fn === 'sum') return Number(raw);
    return field!.fromDb(raw, ops);
  };
  const shape = `${fn}${aggregate.distinct ? ' distinct' : ''}(${path?.name ?? ''}.${field ? JSON.stringify(field.column) : '*'})`;
  return { name, alias, aggregate, path, field, read, shape };
}

/** `sum(price)`, `count(distinct x)`, `count(*)` over `qualifier`'s columns. */
function call(
  resolved: ResolvedAggregate,
  ops: DialectOps,
  qualifier: string | undefined,
): RawBuilder<unknown> {
  const { fn, distinct } = resolved.aggregate;
  const field = resolved.field;
  if (!field) {
    const pk = resolved.path ? resolved.path.model.meta.pk : undefined;
    return pk ? sql`count(${sql.ref(`${qualifier}.${pk.column!}`)})` : sql`count(*)`;
  }
  const column = sql.ref(qualifier ? `${qualifier}.${field.column!}` : field.column!);
  if (fn !== 'count' && field.kind === 'decimal') return ops.decimalAggregate(fn, column);
  const value = fn === 'count' ? column : orderable(field, ops, qualifier);
  return sql`${sql.raw(fn)}(${sql.raw(distinct ? 'distinct ' : '')}${value})`;
}

/**
 * The value of an aggregate for each row of the model's table (`annotate`): a subquery
 * correlated with the row, so two annotations over different relations never multiply
 * each other's rows.
 */
export function perRow(model: AnyModel, resolved: ResolvedAggregate, ops: DialectOps): RawBuilder<unknown> {
  if (!resolved.path)
    throw new QueryError(
      `annotate: '${resolved.name}' aggregates the row itself; name a relation path, like count('reviews') or avg('reviews__rating')`,
    );
  const { from, last } = pathFrom(resolved.path, model.meta.table);
  return sql`(select ${call(resolved, ops, last)} from ${from})`;
}

/**
 * An annotation as something filters can compare (`reviewCount__gte: 2`). A decimal's `sum`,
 * `avg`, `min` or `max` compares exactly: its value as the dialect compares decimal aggregates,
 * the value given read as a decimal (`'10'`, `'10.00'` or `10`).
 */
export function annotationOperand(
  expression: RawBuilder<unknown>,
  resolved: ResolvedAggregate,
  ops: DialectOps,
): Operand {
  const { fn } = resolved.aggregate;
  const shape = `@${resolved.name}=${resolved.shape}`;
  const lookups: Lookup[] = ['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'range', 'isNull'];
  if (fn !== 'count' && resolved.field?.kind === 'decimal') {
    const compared = ops.comparableDecimalAggregate(expression);
    return {
      expression: compared,
      ordered: () => compared,
      shape,
      lookups,
      text: false,
      numericText: false,
      toDb: (value) => {
        const exact = parseExact(value);
        if (exact === undefined)
          throw new QueryError(
            `filter: '${resolved.name}' compares with a decimal number, got ${String(value)}`,
          );
        return ops.decimalAggregateToDb(exact);
      },
    };
  }
  const numeric = fn === 'count' || fn === 'avg' || NUMERIC_KINDS.has(resolved.field!.kind);
  return {
    expression,
    ordered: () => expression,
    shape,
    lookups,
    text: false,
    numericText: false,
    toDb: (value) => {
      if (numeric) {
        if (typeof value !== 'number' || !Number.isFinite(value))
          throw new QueryError(`filter: '${resolved.name}' compares with a number, got ${String(value)}`);
        return value;
      }
      return resolved.field!.toDb(value, ops);
    },
  };
}

/**
 * The value of an aggregate over the rows of `matched` (a table expression holding the matching
 * rows of the model with all their columns), joining its relation path when it has one.
 */
export function overSet(resolved: ResolvedAggregate, ops: DialectOps, matched: string): RawBuilder<unknown> {
  if (!resolved.path)
    return sql`(select ${call(resolved, ops, resolved.field ? matched : undefined)} from ${sql.table(matched)})`;
  const { from, last } = pathFrom(resolved.path, matched);
  // pathFrom correlates with `matched`'s row: here that row comes from the set itself.
  return sql`(select ${call(resolved, ops, last)} from ${sql.table(matched)}, ${from})`;
}

/** The value of an aggregate over a group of the model's rows (`groupBy`): fields of the model only. */
export function perGroup(resolved: ResolvedAggregate, ops: DialectOps): RawBuilder<unknown> {
  if (resolved.path)
    throw new QueryError(
      `groupBy: '${resolved.name}' follows the relation path '${resolved.path.name}'; a grouped aggregate reads the model's own fields ` +
        `(aggregate over a relation with annotate() or aggregate())`,
    );
  return call(resolved, ops, undefined);
}
