/**
 * The immutable state of a `QuerySet` (its conditions, order, slice, relations to load,
 * annotations) and what is read from it: the order terms in effect and the cache key of a query
 * shape (everything but the values), with the values in SQL order.
 */

import type { RawBuilder } from 'kysely';
import type { Database } from '../database.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import { RelationField } from '../fields/relation.ts';
import type { AnyModel } from '../model.ts';
import type { Annotation } from './annotations.ts';
import { type Clause, combine } from './clause.ts';
import { type Computed, conditionsSql } from './conditions.ts';
import { QueryError } from './errors.ts';
import { resolveField } from './lookups.ts';
import { follow, type Path } from './paths.ts';
import { isExpression } from './refs.ts';
import type { Prefetch, SelectedRelation } from './relations.ts';

export type { Annotation };

/** One term of `order by`: a column of the model, a column across foreign keys, or an annotation. */
export interface Order {
  readonly field: AnyField | undefined;
  readonly path: Path | undefined;
  readonly annotation: Annotation | undefined;
  readonly descending: boolean;
}

/** A selected value that is not a column of the model: a forward path or an annotation. */
export interface Extra {
  readonly key: string;
  readonly alias: string;
  readonly expression: RawBuilder<unknown>;
  /** The parameters `expression` binds, in order. */
  readonly params?: readonly unknown[];
  readonly shape: string;
  read(raw: unknown): unknown;
}

/** `selectForUpdate()`'s options. */
export interface RowLock {
  /** Fail at once (`DatabaseBusyError`) instead of waiting for a row another transaction locked. */
  readonly noWait: boolean;
  /** Leave out rows another transaction locked (a queue's next free jobs). */
  readonly skipLocked: boolean;
  /** What to lock: `'self'` (the queried table) and `selectRelated` paths; all of them when empty. */
  readonly of: readonly string[];
}

/** What a `QuerySet` holds; every method that narrows it makes a new one. */
export interface State {
  readonly where: readonly Clause[];
  /** `undefined`: the model's `meta.ordering`. */
  readonly order: readonly Order[] | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  /** Foreign keys joined by `selectRelated`, parents before the hops through them. */
  readonly related: readonly SelectedRelation[];
  /** Reverse relations and many-to-manys loaded by `prefetchRelated`. */
  readonly prefetch: readonly Prefetch[];
  /** Values computed for each row by `annotate`. */
  readonly annotations: readonly Annotation[];
  /**
   * The conditions of each `filter()` call, in order: an aggregate over a relation they name
   * reads only the related rows meeting them (Django's rule; see `aggregates.ts`).
   */
  readonly filters: readonly (readonly object[])[];
  /** `select distinct`. */
  readonly distinct: boolean;
  /**
   * The plain values of `filter()` calls of one conditions object (`{ authorId: 3 }`): a row
   * `getOrCreate` makes gets them, so it matches the query it was made through.
   */
  readonly given: Readonly<Record<string, unknown>>;
  /** `selectForUpdate()`: lock the rows read, until the transaction ends. */
  readonly lock: RowLock | undefined;
}

/** What a query runs against: the database and the model (a `QuerySet` is one). */
export interface Source {
  readonly db: Database;
  readonly model: AnyModel;
}

/** The state of `query(db, Model)`: every row, the model's ordering. */
export const INITIAL: State = Object.freeze({
  where: Object.freeze([]) as readonly Clause[],
  order: undefined,
  limit: undefined,
  offset: undefined,
  related: Object.freeze([]) as readonly SelectedRelation[],
  prefetch: Object.freeze([]) as readonly Prefetch[],
  annotations: Object.freeze([]) as readonly Annotation[],
  filters: Object.freeze([]) as readonly (readonly object[])[],
  distinct: false,
  given: Object.freeze({}),
  lock: undefined,
});

/**
 * A fresh query's state after `selectForUpdate()` with no `of`, one per `noWait`/`skipLocked`
 * choice: shared, so `get()` knows such a query at a glance and takes its fast path.
 */
export const LOCKED_INITIAL: readonly State[] = [false, true].flatMap((noWait) =>
  [false, true].map((skipLocked) =>
    Object.freeze({ ...INITIAL, lock: Object.freeze({ noWait, skipLocked, of: Object.freeze([]) }) }),
  ),
);

/** The shared state of a fresh query locked with these options (see {@link LOCKED_INITIAL}). */
export function lockedInitial(noWait: boolean, skipLocked: boolean): State {
  return LOCKED_INITIAL[(noWait ? 2 : 0) + (skipLocked ? 1 : 0)]!;
}

/**
 * The values a conditions object gives a new row: its keys without a lookup (or with
 * `__exact`); `{}` for `or`/`and`/`not` and lookups.
 */
export function plainValues(conditions: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (
    typeof conditions !== 'object' ||
    conditions === null ||
    Object.getPrototypeOf(conditions) !== Object.prototype
  )
    return values;
  for (const [key, value] of Object.entries(conditions)) {
    if (isExpression(value)) continue; // another column's value: no value to give
    if (!key.includes('__')) values[key] = value;
    else if (key.endsWith('__exact') && key.indexOf('__') === key.length - '__exact'.length)
      values[key.slice(0, -'__exact'.length)] = value;
  }
  return values;
}

export function wholeNumber(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new QueryError(`${what} should be a whole number of 0 or more, got ${String(value)}`);
  return value;
}

/** `true` when the state has a limit or an offset. */
export function isSliced(state: State): boolean {
  return state.limit !== undefined || state.offset !== undefined;
}

/**
 * The clause of one `filter()` call: any of `conditions` may match (OR). Annotations of the
 * state can be named.
 */
export function whereOf(
  model: AnyModel,
  annotations: readonly Annotation[],
  conditions: readonly object[],
  ops: DialectOps,
): Clause {
  if (conditions.length === 0) throw new QueryError('filter: give at least one conditions object');
  const computed: Computed | undefined = annotations.length
    ? new Map(annotations.map((a) => [a.name, a.operand]))
    : undefined;
  const parts = conditions.map((c) => conditionsSql(model, c, ops, computed));
  return combine(parts, 'or');
}

export function fieldOrder(field: AnyField, descending: boolean, path?: Path): Order {
  return { field, path, annotation: undefined, descending };
}

/** An order term as the caller named it. */
export function orderName(order: Order): string {
  if (order.annotation) return order.annotation.name;
  return order.path ? `${order.path.name}__${order.field!.attribute}` : order.field!.attribute;
}

/** The order terms of `orderBy(...names)`: row keys, forward paths or annotation names. */
export function parseOrder(
  model: AnyModel,
  annotations: readonly Annotation[],
  names: readonly string[],
): Order[] {
  return names.flatMap((name) => {
    if (typeof name !== 'string') throw new QueryError('orderBy: names should be strings');
    return orderTerms(model, annotations, name, new Set());
  });
}

/** The order terms of one name: `-` for descending, a row key, a path, or an annotation. */
function orderTerms(
  model: AnyModel,
  annotations: readonly Annotation[],
  name: string,
  seen: ReadonlySet<AnyModel>,
): Order[] {
  const descending = name.startsWith('-');
  const bare = descending ? name.slice(1) : name;
  const annotation = annotations.find((a) => a.name === bare);
  if (annotation) return [{ field: undefined, path: undefined, annotation, descending }];
  const parts = bare.split('__');
  const last = parts.pop()!;
  const path = parts.length > 0 ? follow(model, parts, 'orderBy') : undefined;
  if (path?.many)
    throw new QueryError(
      `orderBy: '${bare}' crosses a relation holding several rows; annotate an aggregate (like max('${bare}')) and order by its name`,
    );
  const field = resolveField(path?.model ?? model, last, 'orderBy');
  return (
    byRelatedOrdering(model, field, bare, descending, annotations, seen) ?? [
      fieldOrder(field, descending, path),
    ]
  );
}

/**
 * A foreign key named by its field name (`author`, not `authorId`) orders by the related
 * model's `ordering`, as Django does (`-author` reverses each term); `undefined` when the name is
 * not such a key or the related model has no ordering (then by the key's value, the related
 * primary key, as Django).
 */
function byRelatedOrdering(
  model: AnyModel,
  field: AnyField,
  name: string,
  descending: boolean,
  annotations: readonly Annotation[],
  seen: ReadonlySet<AnyModel>,
): Order[] | undefined {
  if (
    !(field instanceof RelationField) ||
    field.kind === 'manyToMany' ||
    name.split('__').pop() !== field.name
  )
    return undefined;
  const target = field.target;
  const ordering = target.meta.ordering;
  if (ordering.length === 0 || seen.has(target)) return undefined;
  const inner = new Set([...seen, target]);
  return ordering.flatMap((term) => {
    const reversed = term.startsWith('-');
    const bare = reversed ? term.slice(1) : term;
    return orderTerms(model, annotations, `${reversed === descending ? '' : '-'}${name}__${bare}`, inner);
  });
}

// `meta.ordering` resolved once per model: every query without orderBy() reads it.
const defaultOrders = new WeakMap<AnyModel, readonly Order[]>();

/** The order terms in effect: the state's, else the model's `meta.ordering`. */
export function ordersOf(model: AnyModel, state: State): readonly Order[] {
  if (state.order) return state.order;
  let order = defaultOrders.get(model);
  if (!order) {
    order = parseOrder(model, state.annotations, model.meta.ordering);
    defaultOrders.set(model, order);
  }
  return order;
}

/** The shape of a list that is the same object from query to query (fields, orders), computed once. */
const listShapes = new WeakMap<readonly object[], string>();
function listShape<T extends object>(list: readonly T[], shape: (list: readonly T[]) => string): string {
  if (list.length === 0) return '';
  let text = listShapes.get(list);
  if (text === undefined) {
    text = shape(list);
    listShapes.set(list, text);
  }
  return text;
}
const fieldsShape = (fields: readonly AnyField[]) => fields.map((f) => JSON.stringify(f.column)).join(',');
const ordersShape = (order: readonly Order[]) =>
  order.map((o) => `${orderShape(o)}${o.descending ? '-' : '+'}`).join(',');
const relatedShape = (related: readonly SelectedRelation[]) => related.map((r) => r.name).join(',');

/** An order term in a cache shape. */
function orderShape(order: Order): string {
  if (order.annotation) return `@${order.annotation.name}=${order.annotation.shape}`;
  const column = JSON.stringify(order.field!.column);
  return order.path ? `${order.path.name}.${column}` : column;
}

/** The cache key of a query: everything but the values; and the values in SQL order. */
export function shapeOf(
  source: Source,
  kind: string,
  fields: readonly AnyField[],
  state: State,
  extras: readonly Extra[] = [],
): { shape: string; params: unknown[] } {
  const where = state.where;
  let params: unknown[];
  let whereShape: string;
  if (where.length === 1) {
    params = where[0]!.params.slice();
    whereShape = where[0]!.shape;
  } else {
    params = where.flatMap((w) => w.params);
    whereShape = where.map((w) => w.shape).join(' & ');
  }
  // In SQL order: the selected values' parameters, the conditions', the order's, the offset.
  if (extras.length) {
    const selected = extras.flatMap((e) => e.params ?? []);
    if (selected.length) params = [...selected, ...params];
  }
  const orders = ordersOf(source.model, state);
  if (!state.distinct)
    for (const order of orders) if (order.annotation?.params.length) params.push(...order.annotation.params);
  const ops = source.db.ops;
  // The limit is written into the SQL (a checked whole number): SQLite plans `limit 50` better
  // than `limit ?`. The offset, which changes from page to page, stays a parameter.
  const sliced = state.limit !== undefined || (state.offset !== undefined && ops.noLimit !== undefined);
  if (state.offset !== undefined) params.push(state.offset);
  let shape = `${ops.name}|${kind}|${listShape(fields, fieldsShape)}|${whereShape}|${listShape(orders, ordersShape)}`;
  if (sliced) shape += `|limit ${state.limit ?? ops.noLimit}`;
  if (state.offset !== undefined) shape += '|offset';
  if (state.related.length) shape += `|related:${listShape(state.related, relatedShape)}`;
  if (extras.length) shape += `|extras:${extras.map((e) => e.shape).join(',')}`;
  if (state.distinct) shape += '|distinct';
  if (state.lock)
    shape += `|lock:${state.lock.noWait ? 'nowait' : state.lock.skipLocked ? 'skip' : ''}:${state.lock.of.join(',')}`;
  return { shape, params };
}
