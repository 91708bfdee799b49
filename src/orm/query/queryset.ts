/**
 * `QuerySet`: an immutable, lazily run query over one model's table. `query(db, Model)` starts
 * one; `filter`, `exclude`, `orderBy`, `limit` and `offset` return new QuerySets; `all`, `first`,
 * `get`, `count`, `exists`, `values`, `create`, `bulkCreate`, `update` and `delete` run SQL.
 * `selectRelated` and `prefetchRelated` load relations up front (there is no lazy loading).
 */
import { type CompiledQuery, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../database.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import type { CreateInput, Row, UpdateInput } from '../types.ts';
import { validateInput } from '../validation.ts';
import { compiled } from './cache.ts';
import { constraintError, guarded } from './constraint-errors.ts';
import { collectDeletion, executeDeletion, needsCollector } from './deletion.ts';
import { MultipleFoundError, NotFoundError, QueryError, ValidationError } from './errors.ts';
import { type JoinTable, manyToManyOf } from './join-table.ts';
import { type Clause, combine, conditionsSql, negate, orderable, resolveField } from './lookups.ts';
import { RelatedManager, type RelatedOptions, type RowOrKey } from './many-to-many.ts';
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
import type { Filter, Loaded, OrderName, RowKey } from './types.ts';
import { getOrCreate, updateOrCreate, type Written } from './write.ts';

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
  /** Foreign keys joined by `selectRelated`, parents before the hops through them. */
  readonly related: readonly SelectedRelation[];
  /** Reverse relations and many-to-manys loaded by `prefetchRelated`. */
  readonly prefetch: readonly Prefetch[];
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
      await prefetch(rows, this.model.meta.pk, state.prefetch, (relation, keys) =>
        this.#prefetched(relation, keys),
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
  selectRelated<P extends SelectPath<M>>(...names: P[]): QuerySet<M, X & SelectedRows<M, P>> {
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
  ): QuerySet<M, X & PrefetchedRows<M, K, R, Loaded<R, Y>>> {
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

  async #insert(
    db: Database,
    input: Record<string, unknown>,
    at: readonly (string | number)[] = [],
  ): Promise<Row<M>> {
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
      for (const [i, input] of inputs.entries())
        rows.push(await this.#insert(tx, input as Record<string, unknown>, [i]));
      return rows;
    });
  }

  #whereOnly(what: string): void {
    if (this.#state.limit !== undefined || this.#state.offset !== undefined)
      throw new QueryError(`${what}: a query with limit or offset cannot be used; filter by key instead`);
  }

  /**
   * Sets `values` (validated like an update; `autoNow` fields set to now) on every matching row;
   * returns how many rows changed. Constraint failures are a `ValidationError`, as in `create`.
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
  #on(db: Database): QuerySet<M, X> {
    return new QuerySet<M, X>(db, this.model, this.#state);
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
    const { shape, params } = this.#shape('linked', fields, state);
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
        return this.#select(fields, state)
          .innerJoin(side.as('volt_via'), (on) =>
            on.on(sql<boolean>`${sql.ref('volt_via.volt_target')} = ${sql.ref(pk)}`),
          )
          .select(sql.ref('volt_via.volt_source').as('volt_source'))
          .where(sql.ref('volt_via.volt_source'), 'in', values)
          .compile();
      },
    );
    const raw = await this.db.all<Record<string, unknown>>(text, parameters);
    const linked = raw.map((r) => {
      const row = this.#toRow(r, fields);
      attachSelected(row, r, state.related, dialect);
      return { key: sourcePk.fromDb(r.volt_source, dialect), row };
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
