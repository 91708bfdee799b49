/**
 * `QuerySet`: an immutable, lazily run query over one model's table. `query(db, Model)` starts
 * one; `filter`, `exclude`, `orderBy`, `limit`, `offset`, `distinct` and `annotate` return new
 * QuerySets; `all`, `first`, `get`, `count`, `exists`, `values`, `aggregate`, `iterate`, `raw`,
 * `create`, `bulkCreate`, `update` and `delete` run SQL. `selectRelated` and `prefetchRelated`
 * load relations up front (there is no lazy loading).
 */
import { isDeepStrictEqual } from 'node:util';
import { type CompiledQuery, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Database, DialectName, SqlValue } from '../database.ts';
import { ConstraintViolationError } from '../errors.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import type { CreateInput, Row, UpdateInput } from '../types.ts';
import { validateInput } from '../validation.ts';
import {
  annotationOperand,
  overSet,
  perGroup,
  perRow,
  type ResolvedAggregate,
  resolveAggregates,
} from './aggregates.ts';
import { compiled } from './cache.ts';
import { constraintError, guarded } from './constraint-errors.ts';
import { collectDeletion, executeDeletion, needsCollector } from './deletion.ts';
import { MultipleFoundError, NotFoundError, QueryError, ValidationError } from './errors.ts';
import { type KeysetOrder, keyset } from './iterate.ts';
import { type JoinTable, manyToManyOf } from './join-table.ts';
import {
  type Clause,
  type Computed,
  combine,
  conditionsSql,
  negate,
  type Operand,
  orderable,
  resolveField,
  resolveKey,
} from './lookups.ts';
import { RelatedManager, type RelatedOptions, type RowOrKey } from './many-to-many.ts';
import { follow, type Path, pathFrom } from './paths.ts';
import { rawRows } from './raw.ts';
import type { ManyToManyName, PrefetchedRows, SelectedRows, SelectPath } from './relation-types.ts';
import {
  attachSelected,
  joinSelected,
  type Prefetch,
  prefetch,
  prefetchable,
  type SelectedRelation,
  selectable,
} from './relations.ts';
import type {
  AggregateResult,
  AggregateSpec,
  Filter,
  Grouping,
  Loaded,
  OrderName,
  RowKey,
  ValueKey,
  ValuesRow,
  Where,
} from './types.ts';
import { getOrCreate, updateOrCreate, type Written } from './write.ts';

// The table is only known at run time (Kysely<any>).
type AnySelect = SelectQueryBuilder<any, any, any>;

/** A value computed for each row by `annotate()`. */
interface Annotation {
  readonly resolved: ResolvedAggregate;
  readonly expression: RawBuilder<unknown>;
  readonly operand: Operand;
}

/** One term of `order by`: a column of the model, a column across foreign keys, or an annotation. */
interface Order {
  readonly field: AnyField | undefined;
  readonly path: Path | undefined;
  readonly annotation: Annotation | undefined;
  readonly descending: boolean;
}

/** A selected value that is not a column of the model: a forward path or an annotation. */
interface Extra {
  readonly key: string;
  readonly alias: string;
  readonly expression: RawBuilder<unknown>;
  readonly shape: string;
  read(raw: unknown): unknown;
}

interface State {
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
  /** `select distinct`. */
  readonly distinct: boolean;
}

/** The state of `query(db, Model)`: every row, the model's ordering. */
const INITIAL: State = Object.freeze({
  where: Object.freeze([]) as readonly Clause[],
  order: undefined,
  limit: undefined,
  offset: undefined,
  related: Object.freeze([]) as readonly SelectedRelation[],
  prefetch: Object.freeze([]) as readonly Prefetch[],
  annotations: Object.freeze([]) as readonly Annotation[],
  distinct: false,
});

/**
 * A `get({ key: value, … })` on a fresh query, where every key is a plain field compared with
 * `=`: its SQL, and the fields whose `toDb` turns the values into its parameters. Made by the
 * general path the first time, then reused: the most common query skips building conditions.
 */
interface DirectGet {
  readonly sql: string;
  /** The condition keys, in order: a signature shared by other keys (`'a|b'`) does not match them. */
  readonly names: readonly string[];
  readonly keys: readonly AnyField[];
  readonly single: boolean;
}
const directGets = new WeakMap<AnyModel, Map<string, DirectGet | null>>();

/** A row from the values of one selected row, in the order of `fields` (the select's first columns). */
function rowOf(
  fields: readonly AnyField[],
  values: readonly unknown[],
  dialect: DialectName,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let j = 0; j < fields.length; j++) row[fields[j]!.attribute] = fields[j]!.fromDb(values[j], dialect);
  return row;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isDirectValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint';
}

/** Most values one multi-row insert of `bulkCreate` binds (well under SQLite's and PostgreSQL's limits). */
const BULK_PARAMETERS = 4000;

function sameKeys(columns: Record<string, unknown>, names: readonly string[]): boolean {
  let n = 0;
  for (const key in columns) {
    if (key !== names[n]) return false;
    n++;
  }
  return n === names.length;
}

/**
 * A primary key value as sent to the database, as text to match returned rows by: an instant
 * to the millisecond (`String(date)` drops them), a uuid in lower case (PostgreSQL returns it so).
 */
function keyText(pk: AnyField, value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return pk.kind === 'uuid' ? text.toLowerCase() : text;
}

function wholeNumber(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new QueryError(`${what} should be a whole number of 0 or more, got ${String(value)}`);
  return value;
}

// `meta.ordering` resolved once per model: every query without orderBy() reads it.
const defaultOrders = new WeakMap<AnyModel, readonly Order[]>();

/** An order term in a cache shape. */
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

function orderShape(order: Order): string {
  if (order.annotation) return `@${order.annotation.resolved.name}=${order.annotation.resolved.shape}`;
  const column = JSON.stringify(order.field!.column);
  return order.path ? `${order.path.name}.${column}` : column;
}

/** An order term as the caller named it. */
function orderName(order: Order): string {
  if (order.annotation) return order.annotation.resolved.name;
  return order.path ? `${order.path.name}__${order.field!.attribute}` : order.field!.attribute;
}

function fieldOrder(field: AnyField, descending: boolean, path?: Path): Order {
  return { field, path, annotation: undefined, descending };
}

/**
 * A query over `M`'s rows. Every field, lookup and ordering name is checked against the model's
 * meta when the method is called, before any SQL is built; values are sent as parameters only.
 * `X` holds what was loaded or computed onto each row (`selectRelated`, `annotate`), `A` the
 * annotations that filters and `orderBy` can name.
 *
 * @example
 * ```ts
 * const cheap = query(db, Book).filter({ price__lt: '10.00' }).orderBy('-created');
 * const books = await cheap.limit(20).all();
 * const total = await cheap.count();
 * ```
 */
export class QuerySet<M extends AnyModel, X extends object = {}, A extends object = {}> {
  readonly db: Database;
  readonly model: M;
  readonly #state: State;

  constructor(db: Database, model: M, state?: State) {
    this.db = db;
    this.model = model;
    this.#state = state ?? INITIAL;
  }

  #with<Y extends object = X, B extends object = A>(change: Partial<State>): QuerySet<M, Y, B> {
    return new QuerySet<M, Y, B>(this.db, this.model, { ...this.#state, ...change });
  }

  /**
   * Rows matching every condition (and those of earlier filters). Keys are row keys with an
   * optional lookup: `exact, iexact, contains, icontains, startsWith, endsWith, in, gt, gte, lt,
   * lte, range, isNull`; a date part before the lookup (`created__year__gte`); relation paths
   * in both directions (`author__lastName`, `reviews__rating__gte`, `tags__name`); annotation
   * names. Several objects: any of them may match (OR); `or`, `and` and `not` nest.
   *
   * @example
   * ```ts
   * query(db, Book).filter({ title__icontains: 'dune', authorId: 3 });
   * query(db, Book).filter({ status: 'draft' }, { pages__isNull: true }); // draft OR no pages
   * query(db, Book).filter({ reviews__rating__gte: 4 }); // books with at least one such review
   * query(db, Book).filter(or({ status: 'draft' }, not({ authorId: 3 })));
   * ```
   */
  filter(...conditions: Where<M, A>[]): QuerySet<M, X, A> {
    return this.#with({ where: [...this.#state.where, this.#any(conditions)] });
  }

  /**
   * Rows NOT matching the conditions (`not (…)`: a NULL column matches neither filter nor exclude;
   * across a relation, `exclude({ reviews__rating__lt: 3 })` keeps books with no such review).
   *
   * @example
   * ```ts
   * query(db, Book).exclude({ status: 'draft' });
   * ```
   */
  exclude(...conditions: Where<M, A>[]): QuerySet<M, X, A> {
    return this.#with({ where: [...this.#state.where, negate(this.#any(conditions))] });
  }

  #any(conditions: readonly object[]): Clause {
    if (conditions.length === 0) throw new QueryError('filter: give at least one conditions object');
    const annotations = this.#state.annotations;
    const computed: Computed | undefined = annotations.length
      ? new Map(annotations.map((a) => [a.resolved.name, a.operand]))
      : undefined;
    const parts = conditions.map((c) => conditionsSql(this.model, c, this.db.dialect, computed));
    return combine(parts, 'or');
  }

  #orders(state: State): readonly Order[] {
    if (state.order) return state.order;
    let order = defaultOrders.get(this.model);
    if (!order) {
      order = this.#order(this.model.meta.ordering);
      defaultOrders.set(this.model, order);
    }
    return order;
  }

  /** The cache key of a query: everything but the values; and the values in SQL order. */
  #shape(
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
    // The limit is written into the SQL (a checked whole number): SQLite plans `limit 50` better
    // than `limit ?`. The offset, which changes from page to page, stays a parameter.
    const sliced = state.limit !== undefined || (state.offset !== undefined && this.db.dialect === 'sqlite');
    if (state.offset !== undefined) params.push(state.offset);
    let shape = `${this.db.dialect}|${kind}|${listShape(fields, fieldsShape)}|${whereShape}|${listShape(this.#orders(state), ordersShape)}`;
    if (sliced) shape += `|limit ${state.limit ?? -1}`;
    if (state.offset !== undefined) shape += '|offset';
    if (state.related.length) shape += `|related:${listShape(state.related, relatedShape)}`;
    if (extras.length) shape += `|extras:${extras.map((e) => e.shape).join(',')}`;
    if (state.distinct) shape += '|distinct';
    return { shape, params };
  }

  #compiledSelect(
    kind: string,
    fields: readonly AnyField[],
    state: State,
    wrap: (select: AnySelect) => { compile(): CompiledQuery } = (select) => select,
    extras: readonly Extra[] = [],
  ) {
    const { shape, params } = this.#shape(kind, fields, state, extras);
    return compiled(this.model, shape, params, () => wrap(this.#select(fields, state, extras)).compile());
  }

  /**
   * The order of rows: row keys, paths across foreign keys (`author__lastName`) or annotation
   * names, `-` first for descending. Replaces the model's `ordering`; `orderBy()` with no names
   * leaves rows unordered. NULLs sort last ascending and first descending on both dialects.
   *
   * @example
   * ```ts
   * query(db, Book).orderBy('-created', 'title');
   * query(db, Book).orderBy('author__lastName', '-price');
   * ```
   */
  orderBy(...names: OrderName<M, A>[]): QuerySet<M, X, A> {
    return this.#with({ order: this.#order(names) });
  }

  #order(names: readonly string[]): Order[] {
    return names.map((name) => {
      if (typeof name !== 'string') throw new QueryError('orderBy: names should be strings');
      const descending = name.startsWith('-');
      const bare = descending ? name.slice(1) : name;
      const annotation = this.#state.annotations.find((a) => a.resolved.name === bare);
      if (annotation) return { field: undefined, path: undefined, annotation, descending };
      if (!bare.includes('__')) return fieldOrder(resolveField(this.model, bare, 'orderBy'), descending);
      const names = bare.split('__');
      const last = names.pop()!;
      const path = follow(this.model, names, 'orderBy');
      if (path.many)
        throw new QueryError(
          `orderBy: '${bare}' crosses a relation holding several rows; annotate an aggregate (like max('${bare}')) and order by its name`,
        );
      return fieldOrder(resolveField(path.model, last, 'orderBy'), descending, path);
    });
  }

  #orderSql(order: Order, selected?: RawBuilder<unknown>): RawBuilder<unknown> {
    const dialect = this.db.dialect;
    let expression: RawBuilder<unknown>;
    let nullable: boolean;
    if (order.annotation) {
      expression = selected ?? order.annotation.expression;
      nullable = order.annotation.resolved.aggregate.fn !== 'count';
    } else if (order.path) {
      const { from, last } = pathFrom(order.path, this.model.meta.table);
      expression = selected ?? sql`(select ${orderable(order.field!, dialect, last)} from ${from})`;
      nullable = order.field!.nullable || order.path.optional;
    } else {
      expression = orderable(order.field!, dialect);
      nullable = order.field!.nullable;
    }
    // PostgreSQL's default (NULL above every value), spelled out so SQLite sorts the same.
    const nulls = nullable ? (order.descending ? ' nulls first' : ' nulls last') : '';
    return sql`${expression} ${sql.raw(order.descending ? 'desc' : 'asc')}${sql.raw(nulls)}`;
  }

  /** At most `n` rows. */
  limit(n: number): QuerySet<M, X, A> {
    return this.#with({ limit: wholeNumber(n, 'limit') });
  }

  /** Skips the first `n` rows. */
  offset(n: number): QuerySet<M, X, A> {
    return this.#with({ offset: wholeNumber(n, 'offset') });
  }

  /**
   * Drops duplicate rows (`select distinct`): useful with `values()` picking columns that
   * repeat. Ordering by a value that is not selected is refused (PostgreSQL could not run it).
   *
   * @example
   * ```ts
   * await query(db, Book).orderBy('authorId').distinct().values('authorId'); // [{ authorId: 1 }, { authorId: 2 }]
   * ```
   */
  distinct(): QuerySet<M, X, A> {
    return this.#with({ distinct: true });
  }

  #select(
    columns: readonly AnyField[],
    state: State = this.#state,
    extras: readonly Extra[] = [],
  ): AnySelect {
    let query = this.db.kysely
      .selectFrom(this.model.meta.table)
      .select(columns.map((field) => sql.ref(field.column!).as(field.column!)));
    if (extras.length) query = query.select(extras.map((extra) => extra.expression.as(extra.alias)));
    if (state.distinct) query = query.distinct();
    for (const where of state.where) query = query.where(where.expression);
    const order = this.#orders(state);
    for (const term of order) {
      if (!state.distinct) {
        query = query.orderBy(this.#orderSql(term));
        continue;
      }
      // select distinct orders by selected values only: by the column, or by the value's alias.
      const extra = extras.find((e) => e.key === orderName(term));
      if (!extra && (term.path || term.annotation || !columns.includes(term.field!)))
        throw new QueryError(
          `distinct: the rows are ordered by '${orderName(term)}', which is not selected; order by selected values (or orderBy() for none)`,
        );
      query = query.orderBy(this.#orderSql(term, extra && sql`${sql.ref(extra.alias)}`));
    }
    if (state.limit !== undefined) query = query.limit(sql.lit(state.limit));
    else if (state.offset !== undefined && this.db.dialect === 'sqlite') query = query.limit(sql.lit(-1));
    if (state.offset !== undefined) query = query.offset(state.offset);
    if (state.related.length) query = joinSelected(query, this.db, this.model.meta.table, state.related);
    return query;
  }

  #toRow(raw: Record<string, unknown>, fields: readonly AnyField[]): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const field of fields) row[field.attribute] = field.fromDb(raw[field.column!], this.db.dialect);
    return row;
  }

  async #rows(
    fields: readonly AnyField[],
    state: State = this.#state,
    extras: readonly Extra[] = this.#annotationExtras(state),
  ): Promise<Record<string, unknown>[]> {
    const { sql: text, parameters } = this.#compiledSelect('select', fields, state, undefined, extras);
    // Rows come as arrays in select order: the model's columns, the extras, the joined columns.
    const raw = await this.db.arrays(text, parameters);
    const dialect = this.db.dialect;
    const width = fields.length;
    const rows = new Array<Record<string, unknown>>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const values = raw[i]!;
      const row = rowOf(fields, values, dialect);
      for (let j = 0; j < extras.length; j++) row[extras[j]!.key] = extras[j]!.read(values[width + j]);
      if (state.related.length) attachSelected(row, values, width + extras.length, state.related, dialect);
      rows[i] = row;
    }
    if (state.prefetch.length)
      await prefetch(rows, this.model.meta.pk, state.prefetch, (relation, keys) =>
        this.#prefetched(relation, keys),
      );
    return rows;
  }

  #annotationExtras(state: State): Extra[] {
    return state.annotations.map((a) => ({
      key: a.resolved.name,
      alias: a.resolved.alias,
      expression: a.expression,
      shape: `@${a.resolved.name}=${a.resolved.shape} as ${a.resolved.alias}`,
      read: (raw: unknown) => a.resolved.read(raw, this.db.dialect),
    }));
  }

  /**
   * Every matching row, converted to JavaScript values (with its annotations).
   *
   * @example
   * ```ts
   * const books: Row<typeof Book>[] = await query(db, Book).all();
   * ```
   */
  async all(): Promise<Loaded<M, X>[]> {
    return (await this.#rows(this.model.meta.concreteFields)) as Loaded<M, X>[];
  }

  /**
   * Only the named values of every matching row: row keys, paths across foreign keys
   * (`author__lastName`, `null` when a nullable key is null) and annotations.
   *
   * @example
   * ```ts
   * await query(db, Book).values('id', 'title'); // [{ id: '…', title: 'Dune' }]
   * await query(db, Book).values('title', 'author__lastName'); // [{ title: 'Dune', author__lastName: 'Lovelace' }]
   * ```
   */
  async values<K extends ValueKey<M, A>>(...keys: K[]): Promise<ValuesRow<M, A, K>[]> {
    if (keys.length === 0) throw new QueryError('values: name at least one field');
    const fields: AnyField[] = [];
    const extras: Extra[] = [];
    for (const key of keys as string[]) {
      if (typeof key !== 'string') throw new QueryError('values: names should be strings');
      const annotation = this.#state.annotations.find((a) => a.resolved.name === key);
      if (annotation) {
        extras.push(...this.#annotationExtras({ ...this.#state, annotations: [annotation] }));
        continue;
      }
      if (!key.includes('__')) {
        fields.push(resolveField(this.model, key, 'values'));
        continue;
      }
      const names = key.split('__');
      const last = names.pop()!;
      const path = follow(this.model, names, 'values');
      if (path.many)
        throw new QueryError(
          `values: '${key}' crosses a relation holding several rows; aggregate it with annotate() instead`,
        );
      const field = resolveField(path.model, last, 'values');
      const { from, last: alias } = pathFrom(path, this.model.meta.table);
      extras.push({
        key,
        alias: `volt_v${extras.length}`,
        expression: sql`(select ${sql.ref(`${alias}.${field.column!}`)} from ${from})`,
        shape: `${path.name}.${JSON.stringify(field.column)}`,
        read: (raw) => field.fromDb(raw, this.db.dialect),
      });
    }
    const state = { ...this.#state, related: [], prefetch: [] };
    return (await this.#rows(fields, state, extras)) as ValuesRow<M, A, K>[];
  }

  /** The first row (in the query's order, else by primary key), or `undefined`. */
  async first(): Promise<Loaded<M, X> | undefined> {
    const order = this.#orders(this.#state);
    const state = {
      ...this.#state,
      order: order.length ? order : [fieldOrder(this.model.meta.pk, false)],
      limit: Math.min(this.#state.limit ?? 1, 1), // limit(0) has no first row
    };
    return (await this.#rows(this.model.meta.concreteFields, state))[0] as Loaded<M, X> | undefined;
  }

  /**
   * The one row matching (the query and) `conditions`; throws `NotFoundError` when there is none
   * and `MultipleFoundError` when there are several.
   *
   * @example
   * ```ts
   * const book = await query(db, Book).get({ id });
   * ```
   */
  get(...conditions: Where<M, A>[]): Promise<Loaded<M, X>> {
    if (this.#state === INITIAL && conditions.length === 1) {
      let direct: Promise<Row<M>> | undefined;
      try {
        direct = this.#directGet(conditions[0] as Record<string, unknown>);
      } catch (error) {
        return Promise.reject(error);
      }
      if (direct) return direct as Promise<Loaded<M, X>>;
    }
    return this.#get(conditions);
  }

  async #get(conditions: readonly Where<M, A>[]): Promise<Loaded<M, X>> {
    const set = conditions.length ? this.filter(...conditions) : this;
    const state = set.#state;
    // Two rows tell "several" from "one"; an `=` on a unique column cannot match two, so the
    // statement needs no limit (which costs SQLite more than the lookup).
    // A sliced query keeps its order and its slice: `orderBy('-created').limit(1).get()` is the
    // latest row, `offset(1).limit(1)` the second, `limit(0)` none.
    const sliced = state.limit !== undefined || state.offset !== undefined;
    const single = !sliced && state.where.some((w) => w.unique);
    const rows = await set.#rows(this.model.meta.concreteFields, {
      ...state,
      order: sliced ? state.order : [],
      limit: single ? undefined : Math.min(state.limit ?? 2, 2),
    });
    const label = this.model.meta.label;
    if (rows.length === 0) throw new NotFoundError(`No ${label} matches the query`);
    if (rows.length > 1) throw new MultipleFoundError(`More than one ${label} matches the query`);
    return rows[0] as Loaded<M, X>;
  }

  /**
   * `get()` of a fresh query by plain `=` conditions through a reused plan (see `DirectGet`);
   * `undefined` when the conditions are of another kind (the general path answers them).
   */
  #directGet(conditions: Record<string, unknown>): Promise<Row<M>> | undefined {
    if (
      typeof conditions !== 'object' ||
      conditions === null ||
      Object.getPrototypeOf(conditions) !== Object.prototype
    )
      return undefined;
    let signature = this.db.dialect as string;
    const names: string[] = [];
    const values: unknown[] = [];
    for (const key in conditions) {
      const value = conditions[key];
      if (!isDirectValue(value)) return undefined;
      signature += `|${key}`;
      names.push(key);
      values.push(value);
    }
    if (values.length === 0) return undefined;
    let plans = directGets.get(this.model);
    if (!plans) {
      plans = new Map();
      directGets.set(this.model, plans);
    }
    let plan = plans.get(signature);
    if (plan === undefined) {
      plan = this.#planDirectGet(conditions, values);
      if (plans.size < 200) plans.set(signature, plan);
    }
    if (plan === null || !sameNames(plan.names, names)) return undefined;
    const dialect = this.db.dialect;
    const params = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) {
      // A value the column cannot hold matches nothing: the general path says so without SQL errors.
      if (!plan.keys[i]!.canHold(values[i])) return undefined;
      params[i] = plan.keys[i]!.toDb(values[i], dialect);
    }
    return this.db.arrays(plan.sql, params).then((raw) => {
      const label = this.model.meta.label;
      if (raw.length === 0) throw new NotFoundError(`No ${label} matches the query`);
      if (raw.length > 1) throw new MultipleFoundError(`More than one ${label} matches the query`);
      return rowOf(this.model.meta.concreteFields, raw[0]!, dialect) as Row<M>;
    });
  }

  /** The plan of a direct `get()`, or `null` when these keys are not all plain `=` on fields. */
  #planDirectGet(conditions: Record<string, unknown>, values: readonly unknown[]): DirectGet | null {
    const keys: AnyField[] = [];
    for (const key in conditions) {
      const target = key.includes('__') ? undefined : resolveKey(this.model, key);
      if (!target || target.path || !target.field || target.part || target.lookup !== 'exact') return null;
      keys.push(target.field);
    }
    const set = this.filter(conditions as never);
    const state = set.#state;
    const single = state.where.some((w) => w.unique);
    const { sql: text, parameters } = set.#compiledSelect('select', this.model.meta.concreteFields, {
      ...state,
      order: [],
      limit: single ? undefined : 2,
    });
    const dialect = this.db.dialect;
    const expected = values.map((value, i) => keys[i]!.toDb(value, dialect));
    if (!isDeepStrictEqual([...parameters], expected)) return null;
    return { sql: text, names: Object.keys(conditions), keys, single };
  }

  /**
   * Loads foreign keys (and one-to-ones) in the same query, by a join: `inner` for a required
   * key, `left` for a nullable one. Each row gets the target's row next to its key
   * (`book.author` beside `book.authorId`; `null` when a nullable key is null). A path follows
   * keys of keys (`'book__author'` loads `review.book.author`, still one query). Rows of a query
   * without `selectRelated('author')` have no `author` property: reading it does not compile.
   *
   * @example
   * ```ts
   * const books = await query(db, Book).selectRelated('author').all(); // one query
   * books[0]!.author.lastName; // 'Lovelace'
   * const reviews = await query(db, Review).selectRelated('book__author').all(); // one query
   * reviews[0]!.book.author.lastName; // 'Lovelace'
   * ```
   */
  selectRelated<P extends SelectPath<M>>(...names: P[]): QuerySet<M, X & SelectedRows<M, P>, A> {
    if (names.length === 0) throw new QueryError('selectRelated: name at least one relation');
    let related = this.#state.related;
    for (const name of names) related = selectable(this.model, name, related);
    return this.#with({ related });
  }

  /**
   * Loads a relation of many rows with one extra query per relation, never one per row: a
   * reverse foreign key (`where book_id in (…)`), a reverse one-to-one, or a many-to-many
   * declared here (`tags`) or pointing here (`bookSet`), through its join table. `related` is
   * the model of the loaded rows: it gives their type, since `M`'s type cannot know who points
   * at it. Each row gets a list in `related`'s ordering (`[]` when none), or for a reverse
   * one-to-one the row or `null`. `refine` narrows the related query: filters, ordering, and
   * its own `selectRelated`/`prefetchRelated` (a nested prefetch is one more query).
   *
   * @example
   * ```ts
   * const books = await query(db, Book).prefetchRelated('reviews', Review).all(); // two queries
   * books[0]!.reviews.map((r) => r.rating); // [5, 4]
   * const authors = await query(db, Author)
   *   .prefetchRelated('bookSet', Book, (books) => books.prefetchRelated('tags', Tag))
   *   .all(); // three queries
   * ```
   */
  prefetchRelated<K extends string, R extends AnyModel, Y extends object = {}>(
    name: K,
    related: R,
    refine?: (rows: QuerySet<R>) => QuerySet<R, Y>,
  ): QuerySet<M, X & PrefetchedRows<M, K, R, Loaded<R, Y>>, A> {
    const relation = prefetchable(this.model, name, related, refine);
    const prefetch = this.#state.prefetch.filter((r) => r.name !== relation.name);
    return this.#with({ prefetch: [...prefetch, relation] });
  }

  /** How many rows match (limit and offset apply). */
  async count(): Promise<number> {
    const sliced = this.#state.limit !== undefined || this.#state.offset !== undefined;
    const { sql: text, parameters } = this.#compiledSelect(
      'count',
      [this.model.meta.pk],
      { ...this.#state, order: sliced ? this.#state.order : [], related: [], distinct: false },
      (inner) => {
        const matched: AnySelect = sliced ? inner : inner.clearSelect().select(sql`1`.as('one'));
        return this.db.kysely.selectFrom(matched.as('matched')).select(sql`count(*)`.as('n'));
      },
    );
    const row = await this.db.get<{ n: number | string | bigint }>(text, parameters);
    return Number(row?.n ?? 0);
  }

  /** `true` when at least one row matches. */
  async exists(): Promise<boolean> {
    const { sql: text, parameters } = this.#compiledSelect('exists', [this.model.meta.pk], {
      ...this.#state,
      order: [],
      limit: Math.min(this.#state.limit ?? 1, 1), // limit(0) matches nothing
      related: [],
      distinct: false,
    });
    return (await this.db.get(text, parameters)) !== undefined;
  }

  /**
   * Adds an aggregate over a relation to each row (`count('reviews')`, `avg('reviews__rating')`,
   * `max('tags__name')`): a subquery per row, so several annotations never multiply each other.
   * Later `filter`, `exclude`, `orderBy` and `values` can name the annotation.
   *
   * @example
   * ```ts
   * const books = await query(db, Book)
   *   .annotate({ reviewCount: count('reviews'), rating: avg('reviews__rating') })
   *   .filter({ reviewCount__gte: 2 })
   *   .orderBy('-rating')
   *   .all();
   * books[0]!.reviewCount; // 3
   * ```
   */
  annotate<const S extends AggregateSpec<M>>(
    spec: S,
  ): QuerySet<M, X & AggregateResult<M, S>, A & AggregateResult<M, S>> {
    const taken = this.#state.annotations.map((a) => a.resolved.name);
    const dialect = this.db.dialect;
    const added = resolveAggregates(this.model, spec, 'annotate', taken).map((resolved) => {
      const expression = perRow(this.model, resolved, dialect);
      return { resolved, expression, operand: annotationOperand(expression, resolved, dialect) };
    });
    return this.#with({ annotations: [...this.#state.annotations, ...added] });
  }

  /**
   * Aggregates over the matching rows, as one object: `count` a number (0 over no rows); `sum`,
   * `min` and `max` typed like their field (decimals as exact strings) and `avg` a number, all
   * `null` over no rows. Paths across relations aggregate the related rows of the matching rows.
   *
   * @example
   * ```ts
   * await query(db, Book).filter({ status: 'published' }).aggregate({
   *   n: count(), total: sum('price'), rating: avg('reviews__rating'),
   * }); // { n: 2, total: '10.90', rating: 4.5 }
   * ```
   */
  async aggregate<const S extends AggregateSpec<M>>(spec: S): Promise<AggregateResult<M, S>> {
    const taken = this.#state.annotations.map((a) => a.resolved.name);
    const resolved = resolveAggregates(this.model, spec, 'aggregate', taken);
    const dialect = this.db.dialect;
    const sliced = this.#state.limit !== undefined || this.#state.offset !== undefined;
    const state: State = {
      ...this.#state,
      order: sliced ? this.#state.order : [],
      related: [],
      prefetch: [],
      distinct: false,
    };
    const fields = this.model.meta.concreteFields;
    const { shape, params } = this.#shape('aggregate', fields, state);
    const key = `${shape}|${resolved.map((r) => `${r.alias}=${r.shape}`).join(',')}`;
    const { sql: text, parameters } = compiled(this.model, key, params, () => {
      const list = resolved.map((r) => sql`${overSet(r, dialect, 'volt_m')} as ${sql.id(r.alias)}`);
      return sql`with ${sql.id('volt_m')} as ${this.#select(fields, state, [])} select ${sql.join(list)}`.compile(
        this.db.kysely,
      );
    });
    const row = (await this.db.get<Record<string, unknown>>(text, parameters)) ?? {};
    return Object.fromEntries(
      resolved.map((r) => [r.name, r.read(row[r.alias], dialect)]),
    ) as AggregateResult<M, S>;
  }

  /**
   * Groups the matching rows by row keys; `.aggregate(spec)` then gives one row per group with
   * the keys and the aggregates (of the model's own fields), ordered by the keys. The option
   * `having` filters groups on their aggregates.
   *
   * @example
   * ```ts
   * await query(db, Book).groupBy('authorId').aggregate({ books: count(), total: sum('price') }, { having: { books__gte: 2 } });
   * // [{ authorId: 1, books: 2, total: '29.40' }]
   * ```
   */
  groupBy<K extends RowKey<M>>(...keys: K[]): Grouping<M, K> {
    if (keys.length === 0) throw new QueryError('groupBy: name at least one field');
    const fields = keys.map((key) => resolveField(this.model, key, 'groupBy'));
    if (this.#state.limit !== undefined || this.#state.offset !== undefined)
      throw new QueryError('groupBy: a query with limit or offset cannot be grouped; filter by key instead');
    return {
      aggregate: (spec, options) => this.#grouped(fields, spec, options) as never,
    };
  }

  async #grouped(
    fields: readonly AnyField[],
    spec: Record<string, unknown>,
    options: { having?: object } | undefined,
  ): Promise<Record<string, unknown>[]> {
    const dialect = this.db.dialect;
    const resolved = resolveAggregates(this.model, spec, 'groupBy');
    const computed: Computed = new Map(
      resolved.map((r) => [r.name, annotationOperand(perGroup(r, dialect), r, dialect)]),
    );
    const having = options?.having ? conditionsSql(this.model, options.having, dialect, computed) : undefined;
    const where = this.#state.where;
    const params = [...where.flatMap((w) => w.params), ...(having?.params ?? [])];
    const shape = [
      dialect,
      'group',
      fields.map((f) => JSON.stringify(f.column)).join(','),
      where.map((w) => w.shape).join(' & '),
      resolved.map((r) => `${r.alias}=${r.shape}`).join(','),
      having?.shape ?? '',
    ].join('|');
    const { sql: text, parameters } = compiled(this.model, shape, params, () => {
      let select = this.db.kysely
        .selectFrom(this.model.meta.table)
        .select(fields.map((f) => sql.ref(f.column!).as(f.column!)))
        .select(resolved.map((r) => perGroup(r, dialect).as(r.alias)));
      for (const clause of where) select = select.where(clause.expression);
      select = select.groupBy(fields.map((f) => sql.ref(f.column!)));
      if (having) select = select.having(having.expression);
      for (const field of fields) select = select.orderBy(this.#orderSql(fieldOrder(field, false)));
      return select.compile();
    });
    const rows = await this.db.all<Record<string, unknown>>(text, parameters);
    return rows.map((raw) => {
      const row = this.#toRow(raw, fields);
      for (const r of resolved) row[r.name] = r.read(raw[r.alias], dialect);
      return row;
    });
  }

  /**
   * The matching rows, a chunk of `chunkSize` (default 1000) at a time, so memory holds one
   * chunk however many rows match. When the rows are ordered by non-null columns of the model
   * (or not ordered), each chunk is one query continuing after the previous chunk's last row
   * (keyset pagination on the order plus the primary key): rows added or changed meanwhile
   * are never returned twice. Otherwise (an order across relations, by a nullable column or an
   * annotation, or a sliced query) the primary keys are read first, in order, then the rows
   * by key a chunk at a time.
   *
   * @example
   * ```ts
   * for await (const book of query(db, Book).filter({ status: 'published' }).iterate({ chunkSize: 500 })) {
   *   await index(book);
   * }
   * ```
   */
  async *iterate(options: { chunkSize?: number } = {}): AsyncGenerator<Loaded<M, X>, void, undefined> {
    const size = wholeNumber(options.chunkSize ?? 1000, 'iterate: chunkSize');
    if (size === 0) throw new QueryError('iterate: chunkSize should be 1 or more');
    const state = this.#state;
    const fields = this.model.meta.concreteFields;
    const pk = this.model.meta.pk;
    const order = this.#orders(state);
    const sliced = state.limit !== undefined || state.offset !== undefined;
    const plain = !sliced && order.every((o) => o.field && !o.path && !o.annotation && !o.field.nullable);
    if (plain) {
      const terms: KeysetOrder[] = order.map((o) => ({ field: o.field!, descending: o.descending }));
      if (!terms.some((t) => t.field === pk)) terms.push({ field: pk, descending: false });
      const chunkOrder = terms.map((t) => fieldOrder(t.field, t.descending));
      let after: Record<string, unknown> | undefined;
      for (;;) {
        const where = after ? [...state.where, keyset(terms, after, this.db.dialect)] : state.where;
        const rows = await this.#rows(fields, { ...state, where, order: chunkOrder, limit: size });
        for (const row of rows) yield row as Loaded<M, X>;
        if (rows.length < size) return;
        after = rows.at(-1);
      }
    }
    const keys = await this.#rows([pk], { ...state, related: [], prefetch: [] }, []);
    for (let start = 0; start < keys.length; start += size) {
      const ids = keys.slice(start, start + size).map((k) => k[pk.attribute]);
      const where = [conditionsSql(this.model, { [`${pk.attribute}__in`]: ids }, this.db.dialect)];
      const rows = await this.#rows(fields, {
        ...state,
        where,
        order: [],
        limit: undefined,
        offset: undefined,
      });
      const byKey = new Map(rows.map((row) => [row[pk.attribute], row]));
      for (const id of ids) {
        const row = byKey.get(id);
        if (row) yield row as Loaded<M, X>;
      }
    }
  }

  /**
   * Runs hand-written SQL with bound parameters only (`?` on SQLite, `$1`… on PostgreSQL) and
   * returns its rows as the model's rows: columns named like the model's become typed row keys
   * (`author_id` → `authorId`); other columns are kept as returned. A tagged template
   * (raw`…${value}`) or parameters that are not an array are refused.
   *
   * @example
   * ```ts
   * const cheap = await query(db, Book).raw('select * from library_book where cast(price as real) < ?', [10]);
   * ```
   */
  async raw(text: string, params: readonly SqlValue[] = []): Promise<Row<M>[]> {
    return (await rawRows(this.db, this.model, text, params)) as Row<M>[];
  }

  /** Column values of a create or update input; `now` for `autoNow` (and `autoNowAdd` on create). */
  #columns(input: Record<string, unknown>, create: boolean): Record<string, unknown> {
    const now = new Date();
    const out: Record<string, unknown> = {};
    for (const field of this.model.meta.concreteFields) {
      let value = input[field.attribute];
      if (field.autoNow || (create && field.autoNowAdd)) value = now;
      else if (value === undefined && create) {
        if (field.hasDefault) value = field.getDefault();
        else if (field.nullable) value = null;
      }
      if (value !== undefined) out[field.column!] = field.toDb(value, this.db.dialect);
    }
    return out;
  }

  async #insert(
    db: Database,
    input: Record<string, unknown>,
    at: readonly (string | number)[] = [],
  ): Promise<Row<M>> {
    const fields = this.model.meta.concreteFields;
    const columns = this.#columns(input, true);
    const shape = `${db.dialect}|insert|${Object.keys(columns).map((c) => JSON.stringify(c))}`;
    const { sql: text, parameters } = compiled(this.model, shape, Object.values(columns), () =>
      (Object.keys(columns).length
        ? db.kysely.insertInto(this.model.meta.table).values(columns)
        : db.kysely.insertInto(this.model.meta.table).defaultValues()
      )
        .returning(fields.map((field) => sql.ref(field.column!).as(field.column!)))
        .compile(),
    );
    try {
      const raw = await db.get<Record<string, unknown>>(text, parameters);
      return this.#toRow(raw!, fields) as Row<M>;
    } catch (error) {
      throw await constraintError(error, db, this.model, columns, at);
    }
  }

  /**
   * Validates `input` (`ValidationError` listing every problem), fills defaults and
   * `autoNow`/`autoNowAdd` timestamps, inserts the row and returns it as stored. A database
   * constraint failing is a `ValidationError` too, on the field: `type: 'unique'`,
   * `'foreign_key'` (`Author 99 does not exist`), `'null'` or `'check'`. Inside a PostgreSQL
   * transaction the insert runs in a savepoint, so a failure leaves the transaction usable.
   *
   * @example
   * ```ts
   * const ada = await query(db, Author).create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', passwordHash: '…' });
   * ada.id; // 1
   * ```
   */
  async create(input: CreateInput<M>): Promise<Row<M>> {
    const errors = validateInput(this.model, input);
    if (errors.length) throw new ValidationError(errors);
    return guarded(this.db, (db) => this.#insert(db, input as Record<string, unknown>));
  }

  /**
   * Creates several rows in one transaction (all or none); every input is validated first,
   * errors located by index (`loc: [2, 'title']`), database constraint failures too.
   */
  async bulkCreate(inputs: readonly CreateInput<M>[]): Promise<Row<M>[]> {
    const errors = inputs.flatMap((input, i) =>
      validateInput(this.model, input).map((e) => ({ ...e, loc: [i, ...e.loc] })),
    );
    if (errors.length) throw new ValidationError(errors);
    return this.db.transaction(async (tx) => {
      const rows: Row<M>[] = [];
      // Consecutive inputs with the same columns go in one multi-row insert (up to
      // BULK_PARAMETERS values each); a batch a constraint refuses is retried row by row, in
      // a savepoint, so the error names the failing input's index and field.
      let start = 0;
      while (start < inputs.length) {
        const columns = this.#columns(inputs[start] as Record<string, unknown>, true);
        const names = Object.keys(columns);
        if (names.length === 0) {
          // Nothing but defaults the database fills: no multi-row form, one insert.
          rows.push(await this.#insert(tx, inputs[start] as Record<string, unknown>, [start]));
          start++;
          continue;
        }
        const batch = [columns];
        const most = Math.max(1, Math.floor(BULK_PARAMETERS / Math.max(1, names.length)));
        while (batch.length < most && start + batch.length < inputs.length) {
          const next = this.#columns(inputs[start + batch.length] as Record<string, unknown>, true);
          if (!sameKeys(next, names)) break;
          batch.push(next);
        }
        try {
          rows.push(...(await tx.transaction((savepoint) => this.#insertMany(savepoint, names, batch))));
        } catch (error) {
          // Only a constraint names an input to blame; any other failure (the database away, a
          // bug) is the answer as it is, not a reason to try again row by row.
          if (!(error instanceof ConstraintViolationError)) throw error;
          for (let i = start; i < start + batch.length; i++)
            rows.push(await this.#insert(tx, inputs[i] as Record<string, unknown>, [i]));
        }
        start += batch.length;
      }
      return rows;
    });
  }

  /** One `insert … values (…), (…) returning …` of rows with the same columns, in input order. */
  async #insertMany(db: Database, names: readonly string[], batch: readonly Record<string, unknown>[]) {
    const meta = this.model.meta;
    const fields = meta.concreteFields;
    const params: unknown[] = [];
    for (const columns of batch) for (const name of names) params.push(columns[name]);
    const shape = `${db.dialect}|insert|${names.map((c) => JSON.stringify(c))}|rows ${batch.length}`;
    const { sql: text, parameters } = compiled(this.model, shape, params, () =>
      db.kysely
        .insertInto(meta.table)
        .values(batch as Record<string, unknown>[])
        .returning(fields.map((field) => sql.ref(field.column!).as(field.column!)))
        .compile(),
    );
    const raw = await db.arrays(text, parameters);
    const dialect = db.dialect;
    const rows = raw.map((values) => rowOf(fields, values, dialect) as Row<M>);
    // The returned rows' order is the database's: put them back in input order, by the key
    // given (a uuid, a slug) or, for an auto key, by the ascending values it handed out.
    const pk = meta.pk;
    const at = fields.indexOf(pk);
    if (names.includes(pk.column!)) {
      const order = new Map(batch.map((columns, i) => [keyText(pk, columns[pk.column!]), i]));
      const sorted = new Array<Row<M>>(rows.length);
      for (let i = 0; i < raw.length; i++) {
        const index = order.get(keyText(pk, pk.toDb(pk.fromDb(raw[i]![at], dialect), dialect)));
        // A key the database returned otherwise than given keeps the database's order.
        if (index === undefined || sorted[index] !== undefined) return rows;
        sorted[index] = rows[i]!;
      }
      return sorted;
    }
    // Keys are numbers, or bigints past 2^53: compared as they are, never rounded.
    const keyed = raw.map((values, i) => ({ key: values[at] as number | bigint, row: rows[i]! }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map((k) => k.row);
  }

  #whereOnly(what: string): void {
    if (this.#state.limit !== undefined || this.#state.offset !== undefined)
      throw new QueryError(`${what}: a query with limit or offset cannot be used; filter by key instead`);
  }

  /**
   * Sets `values` (validated like an update; `autoNow` fields set to now) on every matching row;
   * returns how many rows changed. Constraint failures are a `ValidationError`, as in `create`.
   * Nothing to set (`update({})`) is a `QueryError` (Django returns 0 there).
   *
   * @example
   * ```ts
   * await query(db, Book).filter({ status: 'draft' }).update({ status: 'published' }); // 3
   * ```
   */
  async update(values: UpdateInput<M>): Promise<number> {
    this.#whereOnly('update');
    const errors = validateInput(this.model, values, { partial: true });
    if (errors.length) throw new ValidationError(errors);
    // Django's update() with nothing to set returns 0; an empty object here is almost always
    // a change lost on the way (every key filtered out), so it is refused.
    if (!Object.values(values as Record<string, unknown>).some((value) => value !== undefined))
      throw new QueryError(
        `update() on ${this.model.meta.label} has no field to set: pass at least one, like update({ field: value })`,
      );
    const columns = this.#columns(values as Record<string, unknown>, false);
    if (Object.keys(columns).length === 0) return 0;
    const where = this.#state.where;
    const shape = `${this.db.dialect}|update|${Object.keys(columns).map((c) => JSON.stringify(c))}|${where.map((w) => w.shape).join(' & ')}`;
    const params = [...Object.values(columns), ...where.flatMap((w) => w.params)];
    const { sql: text, parameters } = compiled(this.model, shape, params, () => {
      let query = this.db.kysely.updateTable(this.model.meta.table).set(columns);
      for (const clause of where) query = query.where(clause.expression);
      return query.compile();
    });
    return guarded(this.db, async (db) => {
      try {
        return (await db.run(text, parameters)).changes;
      } catch (error) {
        throw await constraintError(error, db, this.model, columns);
      }
    });
  }

  /**
   * Deletes every matching row, honouring each foreign key's `onDelete` towards them, in one
   * transaction: rows pointing at them through `cascade` are deleted too (and theirs, level by
   * level, one query per relation and level); `setNull`/`setDefault` keys are updated;
   * `protect` refuses with a `ProtectedError` naming the rows in the way (also when they are
   * reached through a cascade), `restrict` with a `RestrictedError` unless those rows are
   * deleted by the same call; nothing is deleted then. Auto join table rows of the deleted rows'
   * many-to-manys are removed. When the tables' `on delete` actions do exactly that (only
   * `cascade` and `setNull` below, no cycle), one `delete` statement is run instead. Returns how
   * many rows of this model were deleted.
   *
   * @example
   * ```ts
   * await query(db, Book).filter({ status: 'draft' }).delete(); // 2
   * ```
   */
  async delete(): Promise<number> {
    this.#whereOnly('delete');
    if (needsCollector(this.model)) return this.#collectAndDelete();
    const where = this.#state.where;
    const shape = `${this.db.dialect}|delete|${where.map((w) => w.shape).join(' & ')}`;
    const { sql: text, parameters } = compiled(
      this.model,
      shape,
      where.flatMap((w) => w.params),
      () => {
        let query = this.db.kysely.deleteFrom(this.model.meta.table);
        for (const clause of where) query = query.where(clause.expression);
        return query.compile();
      },
    );
    return (await this.db.run(text, parameters)).changes;
  }

  async #collectAndDelete(): Promise<number> {
    const pk = this.model.meta.pk;
    return this.db.transaction(async (tx) => {
      const rows = (await this.#on(tx)
        .orderBy()
        .values(pk.attribute as RowKey<M>)) as Record<string, unknown>[];
      if (rows.length === 0) return 0;
      const keys = rows.map((row) => pk.toDb(row[pk.attribute], tx.dialect));
      const counts = await executeDeletion(tx, await collectDeletion(tx, this.model, keys));
      return counts.get(this.model) ?? 0;
    });
  }

  /** This query's conditions on another database (a transaction). */
  #on(db: Database): QuerySet<M, X, A> {
    return new QuerySet<M, X, A>(db, this.model, this.#state);
  }

  /** One prefetched relation's rows for a batch of keys of this query's rows. */
  async #prefetched(
    relation: Prefetch,
    keys: readonly unknown[],
  ): Promise<{ key: unknown; row: Record<string, unknown> }[]> {
    let set = new QuerySet<AnyModel, object>(this.db, relation.model);
    if (relation.refine) {
      const refined: unknown = relation.refine(set);
      if (!(refined instanceof QuerySet) || refined.model !== relation.model)
        throw new QueryError(
          `prefetchRelated('${relation.name}'): the function should return the ${relation.model.meta.label} QuerySet it was given, narrowed`,
        );
      set = new QuerySet(this.db, relation.model, refined.#state);
    }
    if (set.#state.limit !== undefined || set.#state.offset !== undefined)
      throw new QueryError(
        `prefetchRelated('${relation.name}'): the related query cannot use limit or offset (they would apply to all rows at once)`,
      );
    if (relation.join) return set.#linkedTo(relation.join, keys);
    const key = relation.key!;
    const rows = (await set.filter({ [`${key}__in`]: keys } as never).all()) as Record<string, unknown>[];
    return rows.map((row) => ({ key: row[key], row }));
  }

  /**
   * This query's rows linked through `join` to the rows keyed `keys` on the other side, each
   * with the key it is linked to: one query joining the join table (renamed in a subquery, so
   * the base table's unqualified names stay unambiguous).
   */
  async #linkedTo(
    join: JoinTable,
    keys: readonly unknown[],
  ): Promise<{ key: unknown; row: Record<string, unknown> }[]> {
    if (keys.length === 0) return [];
    const fields = this.model.meta.concreteFields;
    const state = this.#state;
    const dialect = this.db.dialect;
    const sourcePk = join.source.meta.pk;
    const values = keys.map((key) => sourcePk.toDb(key, dialect));
    const extras = this.#annotationExtras(state);
    const { shape, params } = this.#shape('linked', fields, state, extras);
    const via = `${shape}|via:${JSON.stringify([join.table, join.sourceColumn, join.targetColumn])}`;
    const { sql: text, parameters } = compiled(
      this.model,
      `${via}:${values.length}`,
      [...params, ...values],
      () => {
        const side = this.db.kysely
          .selectFrom(join.table)
          .select([
            sql.ref(join.sourceColumn).as('volt_source'),
            sql.ref(join.targetColumn).as('volt_target'),
          ]);
        const pk = `${this.model.meta.table}.${this.model.meta.pk.column!}`;
        return this.#select(fields, state, extras)
          .innerJoin(side.as('volt_via'), (on) =>
            on.on(sql<boolean>`${sql.ref('volt_via.volt_target')} = ${sql.ref(pk)}`),
          )
          .select(sql.ref('volt_via.volt_source').as('volt_source'))
          .where(sql.ref('volt_via.volt_source'), 'in', values)
          .compile();
      },
    );
    // Arrays in select order: the model's columns, the annotations, the joined ones, then the
    // source key.
    const raw = await this.db.arrays(text, parameters);
    const width = fields.length;
    const linked = raw.map((r) => {
      const row = rowOf(fields, r, dialect);
      for (let j = 0; j < extras.length; j++) row[extras[j]!.key] = extras[j]!.read(r[width + j]);
      attachSelected(row, r, width + extras.length, state.related, dialect);
      return { key: sourcePk.fromDb(r[r.length - 1], dialect), row };
    });
    if (state.prefetch.length)
      await prefetch(
        linked.map((l) => l.row),
        this.model.meta.pk,
        state.prefetch,
        (relation, batch) => this.#prefetched(relation, batch),
      );
    return linked;
  }

  /**
   * The many-to-many `name` of one row (`row` or its primary key): a manager to read and change
   * its links (`all`, `count`, `add`, `remove`, `set`, `clear`). `name` is a many-to-many
   * declared on `M` (`tags`) or pointing at it (`bookSet` on Tag); `related` is the model on the
   * other side, which types the rows. `options.throughDefaults` fills a `through` model's other
   * fields on `add` and `set`.
   *
   * @example
   * ```ts
   * const tags = query(db, Book).related(book, 'tags', Tag);
   * await tags.add('sf', 'classic'); // 2
   * await query(db, Tag).related('sf', 'bookSet', Book).count(); // 1
   * ```
   */
  related<R extends AnyModel>(
    row: RowOrKey<M>,
    name: ManyToManyName<M> | (string & {}),
    related: R,
    options: RelatedOptions = {},
  ): RelatedManager<R> {
    const join = manyToManyOf(this.model, name, 'related');
    if (join.target !== related)
      throw new QueryError(
        `related: ${this.model.meta.label}.${name} links ${join.target.meta.label} rows, not ${related?.meta?.label}`,
      );
    const pk = this.model.meta.pk;
    const key =
      typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[pk.attribute] : row;
    if (key === undefined || key === null || pk.check(key).length)
      throw new QueryError(
        `related: give a ${this.model.meta.label} row or its primary key (${pk.attribute}), got ${JSON.stringify(row)}`,
      );
    return new RelatedManager<R>(
      this.db,
      join,
      name,
      key,
      async (db) => (await new QuerySet(db, related).#linkedTo(join, [key])).map((l) => l.row as Row<R>),
      (db, inputs) => new QuerySet(db, join.through!).bulkCreate(inputs as never),
      options,
    );
  }

  /**
   * The row matching `lookup` (and this query's filters), or a new row made of `lookup`'s plain
   * values (keys without a lookup, or `__exact`) and `defaults`, validated like `create`. Runs
   * in a transaction; when a concurrent insert wins (a unique violation), the row is fetched
   * again. `MultipleFoundError` when several rows match.
   *
   * @example
   * ```ts
   * const { row, created } = await query(db, Tag).getOrCreate({ slug: 'sf' }, { name: 'Science fiction' });
   * ```
   */
  getOrCreate(lookup: Filter<M>, defaults: Partial<CreateInput<M>> = {}): Promise<Written<Row<M>>> {
    return getOrCreate(this.db, (db) => this.#on(db) as unknown as QuerySet<M>, lookup, defaults);
  }

  /**
   * The row matching `lookup` with `defaults` set on it (validated like `update`), or a new row
   * made of `lookup`'s plain values and `defaults` (validated like `create`); race-safe like
   * `getOrCreate`.
   *
   * @example
   * ```ts
   * const { row, created } = await query(db, Tag).updateOrCreate({ slug: 'sf' }, { name: 'SF' });
   * ```
   */
  updateOrCreate(lookup: Filter<M>, defaults: Partial<CreateInput<M>>): Promise<Written<Row<M>>> {
    return updateOrCreate(this.db, (db) => this.#on(db) as unknown as QuerySet<M>, lookup, defaults);
  }
}

/**
 * A `QuerySet` over every row of `model` on `db`.
 *
 * @example
 * ```ts
 * import { connect, query } from 'volt/orm';
 * const db = await connect('sqlite:./data/app.db');
 * const published = await query(db, Book).filter({ status: 'published' }).all();
 * ```
 */
export function query<M extends AnyModel>(db: Database, model: M): QuerySet<M> {
  return new QuerySet(db, model);
}
