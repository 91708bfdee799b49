/**
 * `QuerySet`: an immutable, lazily run query over one model's table. `query(db, Model)` starts
 * one; `filter`, `exclude`, `orderBy`, `limit` and `offset` return new QuerySets; `all`, `first`,
 * `get`, `count`, `exists`, `values`, `create`, `bulkCreate`, `update` and `delete` run SQL.
 * `selectRelated` and `prefetchRelated` load relations up front (there is no lazy loading).
 */
import { type CompiledQuery, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../database.ts';
import { UniqueViolationError } from '../errors.ts';
import type { AnyField } from '../fields/field.ts';
import type { RelationField } from '../fields/relation.ts';
import type { ReverseRelation } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import type { CreateInput, ForwardRelationName, RelatedRow, Row, UpdateInput } from '../types.ts';
import { validateInput } from '../validation.ts';
import { compiled } from './cache.ts';
import { MultipleFoundError, NotFoundError, QueryError, ValidationError } from './errors.ts';
import { type Clause, combine, conditionsSql, negate, orderable, resolveField } from './lookups.ts';
import { attachSelected, joinSelected, prefetch, prefetchable, selectable } from './relations.ts';
import type { Filter, Loaded, OrderName, RowKey } from './types.ts';

// The table is only known at run time (Kysely<any>).
type AnySelect = SelectQueryBuilder<any, any, any>;

interface Order {
  readonly field: AnyField;
  readonly descending: boolean;
}

interface State {
  readonly where: readonly Clause[];
  /** `undefined`: the model's `meta.ordering`. */
  readonly order: readonly Order[] | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  /** Foreign keys joined by `selectRelated`. */
  readonly related: readonly RelationField[];
  /** Reverse relations loaded by `prefetchRelated`. */
  readonly prefetch: readonly ReverseRelation[];
}

function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new QueryError(`${what} should be a whole number of 0 or more, got ${String(value)}`);
  return value;
}

/**
 * A query over `M`'s rows. Every field, lookup and ordering name is checked against the model's
 * meta when the method is called, before any SQL is built; values are sent as parameters only.
 *
 * @example
 * ```ts
 * const cheap = query(db, Book).filter({ price__lt: '10.00' }).orderBy('-created');
 * const books = await cheap.limit(20).all();
 * const total = await cheap.count();
 * ```
 */
export class QuerySet<M extends AnyModel, X extends object = {}> {
  readonly db: Database;
  readonly model: M;
  readonly #state: State;

  constructor(db: Database, model: M, state?: State) {
    this.db = db;
    this.model = model;
    this.#state = state ?? {
      where: [],
      order: undefined,
      limit: undefined,
      offset: undefined,
      related: [],
      prefetch: [],
    };
  }

  #with<Y extends object = X>(change: Partial<State>): QuerySet<M, Y> {
    return new QuerySet<M, Y>(this.db, this.model, { ...this.#state, ...change });
  }

  /**
   * Rows matching every condition (and those of earlier filters). Keys are row keys with an
   * optional lookup: `exact, iexact, contains, icontains, startsWith, endsWith, in, gt, gte, lt,
   * lte, range, isNull`. Several objects: any of them may match (OR).
   *
   * @example
   * ```ts
   * query(db, Book).filter({ title__icontains: 'dune', authorId: 3 });
   * query(db, Book).filter({ status: 'draft' }, { pages__isNull: true }); // draft OR no pages
   * ```
   */
  filter(...conditions: Filter<M>[]): QuerySet<M, X> {
    return this.#with({ where: [...this.#state.where, this.#any(conditions)] });
  }

  /**
   * Rows NOT matching the conditions (`not (…)`: a NULL column matches neither filter nor exclude).
   *
   * @example
   * ```ts
   * query(db, Book).exclude({ status: 'draft' });
   * ```
   */
  exclude(...conditions: Filter<M>[]): QuerySet<M, X> {
    return this.#with({ where: [...this.#state.where, negate(this.#any(conditions))] });
  }

  #any(conditions: readonly Filter<M>[]): Clause {
    if (conditions.length === 0) throw new QueryError('filter: give at least one conditions object');
    const parts = conditions.map((c) =>
      conditionsSql(this.model, c as Record<string, unknown>, this.db.dialect),
    );
    return combine(parts, 'or');
  }

  /** The cache key of a query: everything but the values; and the values in SQL order. */
  #shape(kind: string, fields: readonly AnyField[], state: State): { shape: string; params: unknown[] } {
    const order = state.order ?? this.#order(this.model.meta.ordering);
    const params: unknown[] = state.where.flatMap((w) => w.params);
    const sliced = state.limit !== undefined || (state.offset !== undefined && this.db.dialect === 'sqlite');
    if (sliced) params.push(state.limit ?? -1);
    if (state.offset !== undefined) params.push(state.offset);
    const shape = [
      this.db.dialect,
      kind,
      fields.map((f) => JSON.stringify(f.column)).join(','),
      state.where.map((w) => w.shape).join(' & '),
      order.map((o) => `${JSON.stringify(o.field.column)}${o.descending ? '-' : '+'}`).join(','),
      sliced ? 'limit' : '',
      state.related.map((r) => r.name).join(','),
      state.offset !== undefined ? 'offset' : '',
    ].join('|');
    return { shape, params };
  }

  #compiledSelect(
    kind: string,
    fields: readonly AnyField[],
    state: State,
    wrap: (select: AnySelect) => { compile(): CompiledQuery } = (select) => select,
  ) {
    const { shape, params } = this.#shape(kind, fields, state);
    return compiled(this.model, shape, params, () => wrap(this.#select(fields, state)).compile());
  }

  /**
   * The order of rows: row keys, `-` first for descending. Replaces the model's `ordering`;
   * `orderBy()` with no names leaves rows unordered.
   *
   * @example
   * ```ts
   * query(db, Book).orderBy('-created', 'title');
   * ```
   */
  orderBy(...names: OrderName<M>[]): QuerySet<M, X> {
    return this.#with({ order: this.#order(names) });
  }

  #order(names: readonly string[]): Order[] {
    return names.map((name) => {
      if (typeof name !== 'string') throw new QueryError('orderBy: names should be strings');
      const descending = name.startsWith('-');
      return { field: resolveField(this.model, descending ? name.slice(1) : name, 'orderBy'), descending };
    });
  }

  /** At most `n` rows. */
  limit(n: number): QuerySet<M, X> {
    return this.#with({ limit: count(n, 'limit') });
  }

  /** Skips the first `n` rows. */
  offset(n: number): QuerySet<M, X> {
    return this.#with({ offset: count(n, 'offset') });
  }

  #select(columns: readonly AnyField[], state: State = this.#state): AnySelect {
    let query = this.db.kysely
      .selectFrom(this.model.meta.table)
      .select(columns.map((field) => sql.ref(field.column!).as(field.column!)));
    for (const where of state.where) query = query.where(where.expression);
    const order = state.order ?? this.#order(this.model.meta.ordering);
    for (const { field, descending } of order)
      query = query.orderBy(
        sql`${orderable(field, this.db.dialect)} ${sql.raw(descending ? 'desc' : 'asc')}`,
      );
    if (state.limit !== undefined) query = query.limit(state.limit);
    else if (state.offset !== undefined && this.db.dialect === 'sqlite') query = query.limit(-1);
    if (state.offset !== undefined) query = query.offset(state.offset);
    if (state.related.length) query = joinSelected(query, this.db, this.model.meta.table, state.related);
    return query;
  }

  #toRow(raw: Record<string, unknown>, fields: readonly AnyField[]): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const field of fields) row[field.attribute] = field.fromDb(raw[field.column!], this.db.dialect);
    return row;
  }

  async #rows(fields: readonly AnyField[], state: State = this.#state): Promise<Record<string, unknown>[]> {
    const { sql: text, parameters } = this.#compiledSelect('select', fields, state);
    const raw = await this.db.all<Record<string, unknown>>(text, parameters);
    const rows = raw.map((r) => {
      const row = this.#toRow(r, fields);
      attachSelected(row, r, state.related, this.db.dialect);
      return row;
    });
    if (state.prefetch.length)
      await prefetch(rows, this.model.meta.pk, state.prefetch, (model, filter) =>
        new QuerySet(this.db, model).filter(filter as never).all(),
      );
    return rows;
  }

  /**
   * Every matching row, converted to JavaScript values.
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
   * Only the named columns of every matching row.
   *
   * @example
   * ```ts
   * await query(db, Book).values('id', 'title'); // [{ id: '…', title: 'Dune' }]
   * ```
   */
  async values<K extends RowKey<M>>(...keys: K[]): Promise<Pick<Row<M>, K>[]> {
    if (keys.length === 0) throw new QueryError('values: name at least one field');
    const fields = keys.map((key) => resolveField(this.model, key, 'values'));
    return (await this.#rows(fields, { ...this.#state, related: [], prefetch: [] })) as Pick<Row<M>, K>[];
  }

  /** The first row (in the query's order, else by primary key), or `undefined`. */
  async first(): Promise<Loaded<M, X> | undefined> {
    const order = this.#state.order ?? this.#order(this.model.meta.ordering);
    const state = {
      ...this.#state,
      order: order.length ? order : [{ field: this.model.meta.pk, descending: false }],
      limit: 1,
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
  async get(...conditions: Filter<M>[]): Promise<Loaded<M, X>> {
    const set = conditions.length ? this.filter(...conditions) : this;
    const rows = await set.#rows(this.model.meta.concreteFields, { ...set.#state, order: [], limit: 2 });
    const label = this.model.meta.label;
    if (rows.length === 0) throw new NotFoundError(`No ${label} matches the query`);
    if (rows.length > 1) throw new MultipleFoundError(`More than one ${label} matches the query`);
    return rows[0] as Loaded<M, X>;
  }

  /**
   * Loads foreign keys (and one-to-ones) in the same query, by a join: `inner` for a required
   * key, `left` for a nullable one. Each row gets the target's row next to its key
   * (`book.author` beside `book.authorId`; `null` when a nullable key is null). Rows of a query
   * without `selectRelated('author')` have no `author` property: reading it does not compile.
   *
   * @example
   * ```ts
   * const books = await query(db, Book).selectRelated('author').all(); // one query
   * books[0]!.author.lastName; // 'Lovelace'
   * ```
   */
  selectRelated<K extends ForwardRelationName<M>>(
    ...names: K[]
  ): QuerySet<M, X & { [P in K]: RelatedRow<M, P> }> {
    if (names.length === 0) throw new QueryError('selectRelated: name at least one relation');
    const added = names.map((name) => selectable(this.model, name));
    const related = [...this.#state.related, ...added.filter((r) => !this.#state.related.includes(r))];
    return this.#with({ related: [...new Set(related)] });
  }

  /**
   * Loads a reverse foreign key (rows of `related` pointing at these rows) with one extra query
   * per relation, `where <key> in (…)`, never one per row. `related` is the model declaring the
   * key: it gives the rows' type, since `M`'s type cannot know who points at it. Each row gets
   * a list, in `related`'s ordering (`[]` when none).
   *
   * @example
   * ```ts
   * const books = await query(db, Book).prefetchRelated('reviews', Review).all(); // two queries
   * books[0]!.reviews.map((r) => r.rating); // [5, 4]
   * ```
   */
  prefetchRelated<K extends string, R extends AnyModel>(
    name: K,
    related: R,
  ): QuerySet<M, X & { [P in K]: Row<R>[] }> {
    const relation = prefetchable(this.model, name, related);
    const prefetch = this.#state.prefetch.filter((r) => r !== relation);
    return this.#with({ prefetch: [...prefetch, relation] });
  }

  /** How many rows match (limit and offset apply). */
  async count(): Promise<number> {
    const sliced = this.#state.limit !== undefined || this.#state.offset !== undefined;
    const { sql: text, parameters } = this.#compiledSelect(
      'count',
      [this.model.meta.pk],
      { ...this.#state, order: [], related: [] },
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
      limit: 1,
      related: [],
    });
    return (await this.db.get(text, parameters)) !== undefined;
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

  /** A unique violation as a `ValidationError` on the fields of its columns. */
  #unique(error: unknown): unknown {
    if (!(error instanceof UniqueViolationError)) return error;
    const meta = this.model.meta;
    const fields = (error.columns ?? [])
      .map((column) => meta.concreteFields.find((f) => f.column === column))
      .filter((f) => f !== undefined);
    const names = fields.map((f) => f.label.toLowerCase()).join(' and ');
    const msg = names
      ? `${meta.verboseName[0]!.toUpperCase()}${meta.verboseName.slice(1)} with this ${names} already exists`
      : `This ${meta.verboseName} already exists`;
    const locs = fields.length ? fields.map((f) => [f.attribute]) : [[]];
    return new ValidationError(
      locs.map((loc) => ({ loc, msg, type: 'unique' })),
      { cause: error },
    );
  }

  async #insert(db: Database, input: Record<string, unknown>): Promise<Row<M>> {
    const fields = this.model.meta.concreteFields;
    const columns = this.#columns(input, true);
    const shape = `${db.dialect}|insert|${Object.keys(columns).map((c) => JSON.stringify(c))}`;
    const { sql: text, parameters } = compiled(this.model, shape, Object.values(columns), () =>
      db.kysely
        .insertInto(this.model.meta.table)
        .values(columns)
        .returning(fields.map((field) => sql.ref(field.column!).as(field.column!)))
        .compile(),
    );
    try {
      const raw = await db.get<Record<string, unknown>>(text, parameters);
      return this.#toRow(raw!, fields) as Row<M>;
    } catch (error) {
      throw this.#unique(error);
    }
  }

  /**
   * Validates `input` (`ValidationError` listing every problem), fills defaults and
   * `autoNow`/`autoNowAdd` timestamps, inserts the row and returns it as stored. A unique
   * constraint failing is a `ValidationError` too, with `type: 'unique'` on the field.
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
    return this.#insert(this.db, input as Record<string, unknown>);
  }

  /**
   * Creates several rows in one transaction (all or none); every input is validated first,
   * errors located by index (`loc: [2, 'title']`).
   */
  async bulkCreate(inputs: readonly CreateInput<M>[]): Promise<Row<M>[]> {
    const errors = inputs.flatMap((input, i) =>
      validateInput(this.model, input).map((e) => ({ ...e, loc: [i, ...e.loc] })),
    );
    if (errors.length) throw new ValidationError(errors);
    return this.db.transaction(async (tx) => {
      const rows: Row<M>[] = [];
      for (const input of inputs) rows.push(await this.#insert(tx, input as Record<string, unknown>));
      return rows;
    });
  }

  #whereOnly(what: string): void {
    if (this.#state.limit !== undefined || this.#state.offset !== undefined)
      throw new QueryError(`${what}: a query with limit or offset cannot be used; filter by key instead`);
  }

  /**
   * Sets `values` (validated like an update; `autoNow` fields set to now) on every matching row;
   * returns how many rows changed.
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
    try {
      return (await this.db.run(text, parameters)).changes;
    } catch (error) {
      throw this.#unique(error);
    }
  }

  /**
   * Deletes every matching row; returns how many. The database applies each foreign key's
   * `onDelete` (`protect` refuses, as `restrict`).
   *
   * @example
   * ```ts
   * await query(db, Book).filter({ status: 'draft' }).delete(); // 2
   * ```
   */
  async delete(): Promise<number> {
    this.#whereOnly('delete');
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
