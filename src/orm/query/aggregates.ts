/**
 * Aggregates: `count`, `sum`, `avg`, `min` and `max` over a field or a relation path, used by
 * `aggregate()` (one value over the matching rows), `annotate()` (one value per row) and
 * `groupBy().aggregate()` (one value per group): their builders, and their resolution against a
 * model (their SQL is in `aggregate-sql.ts`). The names a caller gives the results never reach
 * the SQL: columns are aliased `volt_a0`, `volt_a1`… and renamed when read.
 */

import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { DecimalField } from '../fields/number.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import { concreteField, follow, hop, type Path, unknownName } from './paths.ts';

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
  /** `{ filter }`: conditions the aggregated rows meet (Django's `filter=Q(…)`). */
  readonly filter: object | undefined;
}

/** An aggregate's options: `filter` for all, `distinct` for `count`. */
export interface AggregateOptions {
  /**
   * Conditions, relative to the queried model, on the rows aggregated (Django's
   * `filter=Q(…)`): conditions on the aggregated relation hold on the aggregated row
   * (`count('lines', { filter: { lines__quantity__gt: 1 } })` counts the lines of more than one
   * item), others on the queried row.
   */
  readonly filter?: object;
}

function build<F extends AggregateFunction, P extends string>(
  fn: F,
  path: P | undefined,
  options: (AggregateOptions & { distinct?: boolean }) | undefined,
): Aggregate<F, P> {
  if (path !== undefined && (typeof path !== 'string' || path === ''))
    throw new QueryError(`${fn}(): name a field or a relation path, like 'price' or 'reviews__rating'`);
  const filter = options?.filter;
  if (
    filter !== undefined &&
    (typeof filter !== 'object' || filter === null || Array.isArray(filter) || filter instanceof Date)
  )
    throw new QueryError(
      `${fn}(): filter should be a conditions object (or an or/and/not of them), like { status: 'paid' }`,
    );
  return Object.freeze({
    [AGGREGATE]: true as const,
    fn,
    path,
    distinct: options?.distinct ?? false,
    filter,
  });
}

/**
 * How many rows: `count()` counts the rows themselves, `count('reviews')` the related rows,
 * `count('editorId')` the non-null values; `{ distinct: true }` counts distinct values, and
 * `{ filter }` only the rows meeting conditions (on the queried model; on the counted relation's
 * row for its own keys).
 *
 * @example
 * ```ts
 * await query(db, Book).aggregate({ n: count(), reviewed: count('reviews__bookId', { distinct: true }) });
 * await query(db, Book).annotate({ good: count('reviews', { filter: { reviews__rating__gte: 4 } }) });
 * ```
 */
export function count<P extends string = never>(
  path?: P,
  options?: AggregateOptions & { distinct?: boolean },
): Aggregate<'count', P> {
  return build('count', path, options);
}

/**
 * The sum of a number or decimal field (`null` over no rows); a decimal's sum is an exact
 * string with the field's places, on both databases. `{ filter }` sums only the rows meeting
 * conditions (as `count`'s).
 *
 * @example
 * ```ts
 * await query(db, Book).aggregate({ total: sum('price') }); // { total: '29.40' }
 * await query(db, Order).aggregate({ paid: sum('total', { filter: { status: 'paid' } }) });
 * ```
 */
export function sum<P extends string>(path: P, options?: AggregateOptions): Aggregate<'sum', P> {
  return build('sum', path, options);
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
export function avg<P extends string>(path: P, options?: AggregateOptions): Aggregate<'avg', P> {
  return build('avg', path, options);
}

/**
 * The smallest value of a field (`null` over no rows), typed and converted like the field.
 *
 * @example
 * ```ts
 * await query(db, Book).aggregate({ first: min('created') }); // { first: Date }
 * ```
 */
export function min<P extends string>(path: P, options?: AggregateOptions): Aggregate<'min', P> {
  return build('min', path, options);
}

/**
 * The largest value of a field (`null` over no rows), typed and converted like the field.
 *
 * @example
 * ```ts
 * await query(db, Author).annotate({ latest: max('bookSet__created') }).all();
 * ```
 */
export function max<P extends string>(path: P, options?: AggregateOptions): Aggregate<'max', P> {
  return build('max', path, options);
}

/** `true` for a value built by `count`, `sum`, `avg`, `min` or `max`. */
export function isAggregate(value: unknown): value is Aggregate {
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
 * Checks the name of a result (an aggregate, an annotation): an identifier that is no field or
 * relation of the model and was not `taken` by an earlier annotation.
 */
export function checkResultName(
  model: AnyModel,
  name: string,
  where: string,
  taken: readonly string[],
): void {
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
    checkResultName(model, name, where, taken);
    return resolveAggregate(model, name, `volt_a${taken.length + i}`, aggregate, where);
  });
}

/** One aggregate of a spec, resolved: a `QueryError` when `aggregate` is none. */
export function resolveAggregate(
  model: AnyModel,
  name: string,
  alias: string,
  aggregate: unknown,
  where: string,
): ResolvedAggregate {
  if (!isAggregate(aggregate))
    throw new QueryError(
      `${where}: '${name}' should be count(), sum(), avg(), min() or max(), got ${String(aggregate)}`,
    );
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
  return { name, alias, aggregate, path, field, read, shape: shapeOf(aggregate, path, field) };
}

function shapeOf(aggregate: Aggregate, path: Path | undefined, field: AnyField | undefined): string {
  return `${aggregate.fn}${aggregate.distinct ? ' distinct' : ''}(${path?.name ?? ''}.${field ? JSON.stringify(field.column) : '*'})`;
}

/**
 * `resolved` computing `fn` instead (over `field`, by default its own), without `distinct`:
 * the per-row parts of a grouped aggregate across a relation.
 */
export function variant(
  resolved: ResolvedAggregate,
  fn: AggregateFunction,
  field = resolved.field,
): ResolvedAggregate {
  const aggregate = Object.freeze({ ...resolved.aggregate, fn, distinct: false });
  return { ...resolved, aggregate, field, shape: shapeOf(aggregate, resolved.path, field) };
}
