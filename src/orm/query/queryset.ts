/**
 * `QuerySet`: an immutable, lazily run query over one model's table. `query(db, Model)` starts
 * one; `filter`, `exclude`, `orderBy`, `limit`, `offset`, `distinct` and `annotate` return new
 * QuerySets; `all`, `first`, `get`, `count`, `exists`, `values`, `aggregate`, `iterate`, `raw`,
 * `create`, `bulkCreate`, `update`, `bulkUpdate` and `delete` run SQL. `selectRelated` and `prefetchRelated`
 * load relations up front (there is no lazy loading). This file is the public API: it checks
 * the arguments and delegates — the state and its cache key to `state.ts`, SQL to
 * `compiler.ts`, reading rows to `hydrate.ts`, the `get()` fast path to `direct-get.ts`,
 * writes to `write.ts` (`bulkUpdate` to `bulk-update.ts`), chunks to `iterate.ts`.
 */

import type { Database, SqlValue } from '../database.ts';
import { suggestOption } from '../fields/options.ts';
import type { AnyModel } from '../model.ts';
import type { BulkUpdateField, BulkUpdateRow, CreateInput, Row } from '../types.ts';
import { resolveAggregates } from './aggregates.ts';
import { resolveAnnotations } from './annotations.ts';
import { type BulkUpdateOptions, bulkUpdateRows } from './bulk-update.ts';
import { negate } from './clause.ts';
import { aggregateQuery, countQuery, existsQuery } from './compiler.ts';
import { directGet } from './direct-get.ts';
import { MultipleFoundError, NotFoundError, QueryError } from './errors.ts';
import { groupedQuery, groupedRows, groupKeys } from './grouping.ts';
import {
  isHandle,
  type ManyToManyHandle,
  ownHandle,
  type PrefetchHandle,
  type ReverseHandle,
  type SelectHandle,
} from './handles.ts';
import { annotationExtras, linkedRows, readRows, valuesSelection } from './hydrate.ts';
import { iterateRows, type RowReader } from './iterate.ts';
import { type JoinTable, manyToManyOf } from './join-table.ts';
import { RelatedManager, type RelatedOptions, type RowOrKey } from './many-to-many.ts';
import { rawRows } from './raw.ts';
import type { Updates } from './refs.ts';
import type {
  ManyToManyName,
  PrefetchedRows,
  PrefetchName,
  ReverseManyToManyName,
  SelectedRows,
  SelectPath,
} from './relation-types.ts';
import { type Prefetch, type PrefetchLoader, prefetchable, type Refine, selectable } from './relations.ts';
import {
  type Extra,
  fieldOrder,
  INITIAL,
  isSliced,
  LOCKED_INITIAL,
  lockedInitial,
  ordersOf,
  parseOrder,
  plainValues,
  type State,
  whereOf,
  wholeNumber,
} from './state.ts';
import type {
  AggregateResult,
  AggregateSpec,
  AnnotationResult,
  AnnotationSpec,
  Filter,
  Grouping,
  GroupName,
  Loaded,
  OrderName,
  ValueKey,
  ValuesRow,
  Where,
} from './types.ts';
import {
  bulkCreateRows,
  createRow,
  type Defaults,
  deleteOneRow,
  deleteRows,
  getOrCreate,
  updateOneRow,
  updateOrCreate,
  updateRows,
  type Written,
} from './write.ts';

/** What `selectForUpdate()` takes. */
const LOCK_OPTIONS: readonly string[] = ['noWait', 'skipLocked', 'of'];
/** The state of a QuerySet, for the loaders below (`#state` is private to the class). */
let stateOf: (set: QuerySet<any, object>) => State;

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

  static {
    stateOf = (set) => set.#state;
  }

  constructor(db: Database, model: M, state?: State) {
    this.db = db;
    this.model = model;
    this.#state = state ?? INITIAL;
  }

  #with<Y extends object = X, B extends object = A>(change: Partial<State>): QuerySet<M, Y, B> {
    return new QuerySet<M, Y, B>(this.db, this.model, { ...this.#state, ...change });
  }

  /** The rows of `state` (by default this query's), with its annotations unless `extras` is given. */
  #rows(
    fields = this.model.meta.concreteFields,
    state = this.#state,
    extras: readonly Extra[] = annotationExtras(this, state),
  ): Promise<Record<string, unknown>[]> {
    return readRows(this, fields, state, extras, loadPrefetched);
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
    const clause = whereOf(this.model, this.#state.annotations, conditions, this.db.ops);
    // One conditions object: its plain values are what a row made through this query has.
    const given = conditions.length === 1 ? plainValues(conditions[0]) : {};
    for (const key in given)
      if (!this.model.meta.concreteFields.some((field) => field.attribute === key)) delete given[key];
    return this.#with({
      where: [...this.#state.where, clause],
      filters: [...this.#state.filters, conditions as readonly object[]],
      given: Object.keys(given).length > 0 ? { ...this.#state.given, ...given } : this.#state.given,
    });
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
    const clause = whereOf(this.model, this.#state.annotations, conditions, this.db.ops);
    return this.#with({ where: [...this.#state.where, negate(clause)] });
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
    return this.#with({ order: parseOrder(this.model, this.#state.annotations, names) });
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

  /**
   * Every matching row, converted to JavaScript values (with its annotations).
   *
   * @example
   * ```ts
   * const books: Row<typeof Book>[] = await query(db, Book).all();
   * ```
   */
  async all(): Promise<Loaded<M, X>[]> {
    return (await this.#rows()) as Loaded<M, X>[];
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
    const { fields, extras } = valuesSelection(this, this.#state, keys);
    const state = { ...this.#state, related: [], prefetch: [] };
    return (await this.#rows(fields, state, extras)) as ValuesRow<M, A, K>[];
  }

  /** The first row (in the query's order, else by primary key), or `undefined`. */
  async first(): Promise<Loaded<M, X> | undefined> {
    const order = ordersOf(this.model, this.#state);
    const state = {
      ...this.#state,
      order: order.length ? order : [fieldOrder(this.model.meta.pk, false)],
      limit: Math.min(this.#state.limit ?? 1, 1), // limit(0) has no first row
    };
    return (await this.#rows(undefined, state))[0] as Loaded<M, X> | undefined;
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
    const state = this.#state;
    if ((state === INITIAL || LOCKED_INITIAL.includes(state)) && conditions.length === 1) {
      let direct: Promise<Record<string, unknown>> | undefined;
      try {
        direct = directGet(this, conditions[0] as Record<string, unknown>, state);
      } catch (error) {
        return Promise.reject(error);
      }
      if (direct) return direct as Promise<Loaded<M, X>>;
    }
    return this.#get(conditions);
  }

  async #get(conditions: readonly Where<M, A>[]): Promise<Loaded<M, X>> {
    const state = (conditions.length ? this.filter(...conditions) : this).#state;
    // Two rows tell "several" from "one"; an `=` on a unique column cannot match two, so the
    // statement needs no limit (which costs SQLite more than the lookup).
    // A sliced query keeps its order and its slice: `orderBy('-created').limit(1).get()` is the
    // latest row, `offset(1).limit(1)` the second, `limit(0)` none.
    const sliced = isSliced(state);
    const single = !sliced && state.where.some((w) => w.unique);
    const rows = await this.#rows(undefined, {
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
   * Loads foreign keys (and one-to-ones) in the same query, by a join: `inner` for a required
   * key, `left` for a nullable one. Each row gets the target's row next to its key
   * (`book.author` beside `book.authorId`; `null` when a nullable key is null). A key is named by
   * its handle (`Book.rel.author`) or its name; a path of names follows keys of keys
   * (`'book__author'` loads `review.book.author`, still one query). Rows of a query without
   * `selectRelated(Book.rel.author)` have no `author` property: reading it does not compile.
   *
   * @example
   * ```ts
   * const books = await query(db, Book).selectRelated(Book.rel.author).all(); // one query
   * books[0]!.author.lastName; // 'Lovelace'
   * const reviews = await query(db, Review).selectRelated('book__author').all(); // one query
   * reviews[0]!.book.author.lastName; // 'Lovelace'
   * ```
   */
  selectRelated<const P extends readonly (SelectPath<M> | SelectHandle<M>)[]>(
    ...names: P
  ): QuerySet<M, X & SelectedRows<M, PathOf<P[number]>>, A> {
    if (names.length === 0) throw new QueryError('selectRelated: name at least one relation');
    let related = this.#state.related;
    for (const name of names) {
      const path = isHandle(name) ? ownHandle(this.model, name, 'selectRelated').name : name;
      related = selectable(this.model, path, related);
    }
    return this.#with({ related });
  }

  /**
   * Loads a relation of many rows with one extra query per relation, never one per row: a
   * reverse foreign key (`where book_id in (…)`), a reverse one-to-one, or a many-to-many
   * declared here (`Book.rel.tags`) or pointing here (`Book.rel.tags.reverse`, Tag's
   * `bookSet`), through its join table. Each row gets a list in the related model's ordering
   * (`[]` when none), or for a reverse one-to-one the row or `null`. `refine` narrows the related
   * query: filters, ordering, and its own `selectRelated`/`prefetchRelated` (a nested prefetch
   * is one more query). By name, `related` is the model of the loaded rows: it gives their
   * type, since `M`'s type cannot know who points at it.
   *
   * @example
   * ```ts
   * const books = await query(db, Book).prefetchRelated(Book.rel.tags).all(); // two queries
   * books[0]!.tags.map((t) => t.slug); // ['sf', 'space']
   * const authors = await query(db, Author)
   *   .prefetchRelated(Book.rel.author.reverse, (books) => books.prefetchRelated(Book.rel.tags))
   *   .all(); // three queries
   * await query(db, Book).prefetchRelated('reviews', Review).all(); // by name
   * ```
   */
  prefetchRelated<H extends PrefetchHandle<M>, Y extends object = {}>(
    relation: H,
    refine?: (rows: QuerySet<HandleTarget<H>>) => QuerySet<HandleTarget<H>, Y>,
  ): QuerySet<M, X & HandleRows<H, Loaded<HandleTarget<H>, Y>>, A>;
  prefetchRelated<const K extends PrefetchName<M, R>, R extends AnyModel, Y extends object = {}>(
    name: K,
    related: R,
    refine?: (rows: QuerySet<NoInfer<R>>) => QuerySet<NoInfer<R>, Y>,
  ): QuerySet<M, X & PrefetchedRows<M, K, R, Loaded<R, Y>>, A>;
  prefetchRelated(name: unknown, related?: unknown, refine?: unknown): QuerySet<M, any, A> {
    let relation: Prefetch;
    if (isHandle(name)) {
      const handle = ownHandle(this.model, name, 'prefetchRelated') as ManyToManyHandle | ReverseHandle;
      if (related !== undefined && typeof related !== 'function')
        throw new QueryError(
          `prefetchRelated(${handle}): the second argument should be a function refining the query (the handle knows its model)`,
        );
      relation = related ? Object.freeze({ ...handle.prefetch, refine: related as Refine }) : handle.prefetch;
    } else {
      if (typeof name !== 'string')
        throw new QueryError(
          `prefetchRelated: name the relation by a handle (${this.model.meta.label}.rel.…) or by its name and model, got ${String(name)}`,
        );
      relation = prefetchable(this.model, name, related as AnyModel, refine as Refine | undefined);
    }
    const prefetch = this.#state.prefetch.filter((r) => r.name !== relation.name);
    return this.#with({ prefetch: [...prefetch, relation] });
  }

  /** How many rows match (limit and offset apply). */
  async count(): Promise<number> {
    const { sql: text, parameters } = countQuery(this, this.#state);
    const row = await this.db.get<{ n: number | string | bigint }>(text, parameters);
    return Number(row?.n ?? 0);
  }

  /**
   * About how many rows match, without counting them: on PostgreSQL the planner's estimate of
   * the query (`EXPLAIN`, no row read: close on an analyzed table, rough on a filtered one); on
   * SQLite, whose planner keeps no such figure, the exact `count()`. For totals of huge tables,
   * where `count(*)` reads every row.
   *
   * @example
   * ```ts
   * const about = await query(db, Event).filter({ kind: 'click' }).estimatedCount();
   * ```
   */
  async estimatedCount(): Promise<number> {
    if (this.db.dialect !== 'postgres') return this.count();
    const { sql: text, parameters } = countQuery(this, this.#state);
    const row = await this.db.get<{ 'QUERY PLAN': unknown }>(`explain (format json) ${text}`, parameters);
    const plan = row?.['QUERY PLAN'];
    const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan;
    // The count's own node estimates one row: the rows it counts are its input's estimate.
    let node = Array.isArray(parsed) ? parsed[0]?.Plan : undefined;
    while (node && /aggregate/i.test(String(node['Node Type'])) && Array.isArray(node.Plans))
      node = node.Plans[0];
    const rows = Number(node?.['Plan Rows']);
    return Number.isFinite(rows) ? Math.max(0, Math.round(rows)) : this.count();
  }

  /** `true` when at least one row matches. */
  async exists(): Promise<boolean> {
    const { sql: text, parameters } = existsQuery(this, this.#state);
    return (await this.db.get(text, parameters)) !== undefined;
  }

  /**
   * Adds a value to each row: an aggregate over a relation (`count('reviews')`,
   * `avg('reviews__rating')`, `max('tags__name')`: a subquery per row, so several annotations
   * never multiply each other), or a date cut down or read in a time zone (`trunc`, `extract`).
   * Later `filter`, `exclude`, `orderBy`, `values` and `groupBy` can name the annotation. As in
   * Django, an aggregate over a relation reads only the related rows meeting the earlier
   * `filter()` calls that name that relation (`filter({ reviews__rating__gte: 4 })` before
   * `annotate({ n: count('reviews') })` counts the good reviews).
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
  annotate<const S extends AnnotationSpec<M, A>>(
    spec: S,
  ): QuerySet<M, X & AnnotationResult<M, S, A>, A & AnnotationResult<M, S, A>> {
    const annotations = this.#state.annotations;
    const added = resolveAnnotations(this.model, spec, {
      ops: this.db.ops,
      timeZone: this.db.timeZone,
      annotations,
      filters: this.#state.filters,
    });
    return this.#with({ annotations: [...annotations, ...added] });
  }

  /**
   * Aggregates over the matching rows, as one object: `count` a number (0 over no rows); `sum`,
   * `min` and `max` typed like their field (decimals as exact strings) and `avg` a number (a
   * decimal string for a decimal field), all `null` over no rows. Paths across relations
   * aggregate the related rows of the matching rows (those meeting a `filter()` naming the
   * relation, as in Django).
   *
   * @example
   * ```ts
   * await query(db, Book).filter({ status: 'published' }).aggregate({
   *   n: count(), total: sum('price'), rating: avg('reviews__rating'),
   * }); // { n: 2, total: '10.90', rating: 4.5 }
   * ```
   */
  async aggregate<const S extends AggregateSpec<M>>(spec: S): Promise<AggregateResult<M, S>> {
    const taken = this.#state.annotations.map((a) => a.name);
    const resolved = resolveAggregates(this.model, spec, 'aggregate', taken);
    const { sql: text, parameters } = aggregateQuery(this, this.#state, resolved);
    const row = (await this.db.get<Record<string, unknown>>(text, parameters)) ?? {};
    const ops = this.db.ops;
    return Object.fromEntries(resolved.map((r) => [r.name, r.read(row[r.alias], ops)])) as AggregateResult<
      M,
      S
    >;
  }

  /**
   * Groups the matching rows by keys — row keys, paths across foreign keys
   * (`customer__country`) or annotations (`month` from `annotate({ month: trunc('placedAt',
   * 'month') })`); `.aggregate(spec)` then gives one row per group with the keys and the
   * aggregates, ordered by the keys. Aggregates may follow relations (`sum('lines__amount')`):
   * each row's related rows are added up once, whatever else is aggregated. The option `having`
   * filters groups on their aggregates.
   *
   * @example
   * ```ts
   * await query(db, Book).groupBy('authorId').aggregate({ books: count(), total: sum('price') }, { having: { books__gte: 2 } });
   * // [{ authorId: 1, books: 2, total: '29.40' }]
   * await query(db, Order).annotate({ month: trunc('placedAt', 'month') }).groupBy('customer__country', 'month')
   *   .aggregate({ orders: count(), revenue: sum('lines__amount') });
   * ```
   */
  groupBy<K extends GroupName<M, A>>(...keys: K[]): Grouping<M, K, A> {
    const grouped = groupKeys(this.model, this.#state.annotations, keys, this.db.ops);
    if (isSliced(this.#state))
      throw new QueryError('groupBy: a query with limit or offset cannot be grouped; filter by key instead');
    return {
      aggregate: async (spec, options) => {
        const { query, resolved } = groupedQuery(this, this.#state, grouped, spec, options);
        const raw = await this.db.all<Record<string, unknown>>(query.sql, query.parameters);
        return groupedRows(raw, grouped, resolved, this.db.ops) as never;
      },
    };
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
    const read: RowReader = (fields, state, extras) => this.#rows(fields, state, extras);
    yield* iterateRows(this, this.#state, size, read) as AsyncGenerator<Loaded<M, X>, void, undefined>;
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

  /**
   * Validates `input` (`ValidationError` listing every problem), fills defaults and
   * `autoNow`/`autoNowAdd` timestamps, inserts the row and returns it as stored. A database
   * constraint failing is a `ValidationError` too, on the field: `type: 'unique'`,
   * `'foreign_key'` (`Author 99 does not exist`), `'null'` or `'check'`. Inside a transaction a
   * failure spoils it, as in Django: run the create in `tx.transaction(…)` (a savepoint) to
   * catch the error and go on.
   *
   * @example
   * ```ts
   * const ada = await query(db, Author).create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', passwordHash: '…' });
   * ada.id; // 1
   * ```
   */
  async create(input: CreateInput<M>): Promise<Row<M>> {
    return (await createRow(this, input as Record<string, unknown>)) as Row<M>;
  }

  /**
   * Creates several rows in one transaction (all or none); every input is validated first,
   * errors located by index (`loc: [2, 'title']`), database constraint failures too.
   */
  async bulkCreate(inputs: readonly CreateInput<M>[]): Promise<Row<M>[]> {
    return (await bulkCreateRows(this, inputs as readonly Record<string, unknown>[])) as Row<M>[];
  }

  /**
   * Sets each row's own values for `fields` on the row with its primary key, in one statement
   * per batch (as Django's `bulk_update`); returns how many rows matched (a key no row has is
   * not counted). Every row is checked first, as `update()` checks its values (`loc: [index,
   * field]`); so are a row without its primary key and a key given twice. Several batches
   * (`batchSize`, or the parameter limit) run in one transaction: every row or none. A
   * constraint the database refuses is a `ValidationError` at the row's index, nothing written.
   * `autoNow` fields are set to now only when named. The query's filters apply too: a row they
   * exclude is neither updated nor counted.
   *
   * @example
   * ```ts
   * const books = await query(db, Book).filter({ authorId: 3 }).all();
   * for (const book of books) book.price = discounted(book.price);
   * await query(db, Book).bulkUpdate(books, ['price']); // 12
   * ```
   */
  async bulkUpdate<const K extends BulkUpdateField<M>>(
    rows: readonly BulkUpdateRow<M, K>[],
    fields: readonly K[],
    options: BulkUpdateOptions = {},
  ): Promise<number> {
    this.#whereOnly('bulkUpdate');
    return bulkUpdateRows(this, this.#state.where, rows, fields, options);
  }

  #whereOnly(what: string): void {
    if (isSliced(this.#state))
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
  async update(values: Updates<M>): Promise<number> {
    this.#whereOnly('update');
    return updateRows(this, this.#state.where, values as Record<string, unknown>);
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
    return deleteRows(this, this.#state.where, (db) => this.#on(db) as unknown as QuerySet<M>);
  }

  /**
   * Sets `values` (validated like an update) on the one row this query matches and returns the
   * row as it is now: one `update … returning` statement when the conditions name a unique key
   * (`{ id }`, a unique field). `NotFoundError` when no row matches (a 404 in a handler);
   * `MultipleFoundError` when several do — then nothing changes. Nothing to set (`{}`, or only
   * `undefined` values: an empty PATCH body) writes nothing and answers the row as it is, with
   * the same errors.
   *
   * @example
   * ```ts
   * const book = await query(db, Book).filter({ id: 3 }).updateOne({ status: 'published' });
   * ```
   */
  async updateOne(values: Updates<M>): Promise<Row<M>> {
    this.#whereOnly('updateOne');
    if (
      typeof values === 'object' &&
      values !== null &&
      !Array.isArray(values) &&
      Object.values(values).every((value) => value === undefined)
    )
      return (await this.#get([])) as Row<M>;
    return (await updateOneRow(this, this.#state.where, values as Record<string, unknown>)) as Row<M>;
  }

  /**
   * Deletes the one row this query matches (with what foreign keys' `onDelete` ask, as
   * `delete()`) and returns it as it was: one `delete … returning` statement when the
   * conditions name a unique key and the database's own `on delete` actions suffice.
   * `NotFoundError` when no row matches; `MultipleFoundError` when several do — then nothing is
   * deleted.
   *
   * @example
   * ```ts
   * const gone = await query(db, Book).filter({ id: 3 }).deleteOne();
   * ```
   */
  async deleteOne(): Promise<Row<M>> {
    this.#whereOnly('deleteOne');
    return (await deleteOneRow(
      this,
      this.#state.where,
      (db) => this.#on(db) as unknown as QuerySet<M>,
    )) as Row<M>;
  }

  /**
   * `row` read again from the database, by its primary key, through this query (its
   * `selectRelated`, `prefetchRelated` and filters apply): a new object, as Django's
   * `refresh_from_db()` but without changing `row`. `NotFoundError` when the row is gone.
   *
   * @example
   * ```ts
   * const fresh = await query(db, Book).refresh(book);
   * ```
   */
  refresh(row: Row<M>): Promise<Loaded<M, X>> {
    const pk = this.model.meta.pk.attribute;
    const key = (row as Record<string, unknown> | null)?.[pk];
    if (key === undefined || key === null)
      throw new QueryError(`refresh(): the row has no ${pk}; pass a row read from or saved to the database`);
    return this.get({ [pk]: key } as Where<M, A>);
  }

  /**
   * Locks the rows this query reads until the transaction ends (`select … for update`), so
   * another transaction wanting them waits: read, decide, write without a race. Must run in a
   * transaction (`query(tx, …)`). `noWait` fails at once with `DatabaseBusyError` (a 503) when a
   * row is locked; `skipLocked` leaves such rows out (a job queue's next free jobs); `of` locks
   * only `'self'` and the `selectRelated` paths named. On SQLite, which has no row locks, a
   * transaction holds the database's one write lock from its first statement: the rows cannot
   * change either, and the options change nothing.
   *
   * @example
   * ```ts
   * await db.transaction(async (tx) => {
   *   const item = await query(tx, Product).selectForUpdate().get({ id });
   *   if (item.stock < qty) throw new HttpError(409, { detail: 'Out of stock' });
   *   await query(tx, Product).filter({ id }).update({ stock: item.stock - qty });
   * });
   * ```
   */
  selectForUpdate(
    options: { noWait?: boolean; skipLocked?: boolean; of?: readonly string[] } = {},
  ): QuerySet<M, X, A> {
    for (const name of Object.keys(options ?? {}))
      if (!LOCK_OPTIONS.includes(name)) {
        const meant = suggestOption(name, LOCK_OPTIONS);
        throw new QueryError(
          `selectForUpdate(): unknown option '${name}'${meant ? `; did you mean '${meant}'?` : ''} (options: ${LOCK_OPTIONS.join(', ')})`,
        );
      }
    const { noWait = false, skipLocked = false, of = [] } = options;
    if (noWait && skipLocked)
      throw new QueryError('selectForUpdate(): noWait and skipLocked cannot be used together');
    if (this.#state === INITIAL && of.length === 0)
      return new QuerySet<M, X, A>(this.db, this.model, lockedInitial(noWait, skipLocked));
    return this.#with({ lock: Object.freeze({ noWait, skipLocked, of: Object.freeze([...of]) }) });
  }

  /** This query's conditions on another database (a transaction). */
  #on(db: Database): QuerySet<M, X, A> {
    return new QuerySet<M, X, A>(db, this.model, this.#state);
  }

  /**
   * The many-to-many `name` of one row (`row` or its primary key): a manager to read and change
   * its links (`all`, `count`, `add`, `remove`, `set`, `clear`), as `Book.rel.tags.of(db, row)`
   * gives it. `name` is a many-to-many declared on `M` (`tags`) or pointing at it (`bookSet` on
   * Tag); `related` is the model on the other side, which types the rows.
   * `options.throughDefaults` fills a `through` model's other fields on `add` and `set`.
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
    name: ManyToManyName<M> | ReverseManyToManyName<M, R>,
    related: R,
    options: RelatedOptions = {},
  ): RelatedManager<R> {
    const join = manyToManyOf(this.model, name, 'related');
    if (join.target !== related)
      throw new QueryError(
        `related: ${this.model.meta.label}.${name} links ${join.target.meta.label} rows, not ${related?.meta?.label}`,
      );
    return relatedManager(this.db, this.model, join, name, row, options, 'related') as RelatedManager<R>;
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
  getOrCreate(lookup: Filter<M>, defaults: Defaults<M> = {}): Promise<Written<Row<M>>> {
    return getOrCreate(
      this.db,
      (db) => this.#on(db) as unknown as QuerySet<M>,
      lookup,
      defaults,
      this.#state.given,
    );
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
  updateOrCreate(lookup: Filter<M>, defaults: Defaults<M>): Promise<Written<Row<M>>> {
    return updateOrCreate(
      this.db,
      (db) => this.#on(db) as unknown as QuerySet<M>,
      lookup,
      defaults,
      this.#state.given,
    );
  }
}

/** The model of the rows a handle loads. */
type HandleTarget<H> = H extends { readonly '~handle': { readonly target: infer T extends AnyModel } }
  ? T
  : never;

/** What `prefetchRelated(handle)` adds to a row: `{ tags: Item[] }`, `{ profile: Item | null }`. */
type HandleRows<H, Item> = H extends {
  readonly '~handle': { readonly name: infer K extends string; readonly single: infer S };
}
  ? { [P in K]: S extends true ? Item | null : Item[] }
  : never;

/** The path `selectRelated` loads for a name or a handle. */
type PathOf<P> = P extends string
  ? P
  : P extends { readonly '~handle': { readonly name: infer K extends string } }
    ? K
    : never;

/**
 * The manager of the links of `row` (a row of `model` or its primary key) through `join`,
 * whose rows are named `name` in errors; `where` names the call in a bad row's error.
 */
export function relatedManager(
  db: Database,
  model: AnyModel,
  join: JoinTable,
  name: string,
  row: unknown,
  options: RelatedOptions,
  where: string,
): RelatedManager<AnyModel> {
  const pk = model.meta.pk;
  const key = typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[pk.attribute] : row;
  if (key === undefined || key === null || pk.check(key).length)
    throw new QueryError(
      `${where}: give a ${model.meta.label} row or its primary key (${pk.attribute}), got ${JSON.stringify(row)}`,
    );
  return new RelatedManager<AnyModel>(
    db,
    join,
    name,
    key,
    async (on) =>
      (await linked(new QuerySet(on, join.target), join, [key])).map((l) => l.row as Row<AnyModel>),
    (on, inputs) => new QuerySet(on, join.through!).bulkCreate(inputs as never),
    options,
  );
}

/** The rows of `set` linked through `join` to the rows keyed `keys` (many-to-many). */
function linked(set: QuerySet<any, object>, join: JoinTable, keys: readonly unknown[]) {
  return linkedRows(set, stateOf(set), join, keys, loadPrefetched);
}

/** One prefetched relation's rows for a batch of keys of the rows of a query on `db`. */
const loadPrefetched: PrefetchLoader = async (db, relation, keys) => {
  let set = new QuerySet<AnyModel, object>(db, relation.model);
  if (relation.refine) {
    const refined: unknown = relation.refine(set);
    if (!(refined instanceof QuerySet) || refined.model !== relation.model)
      throw new QueryError(
        `prefetchRelated('${relation.name}'): the function should return the ${relation.model.meta.label} QuerySet it was given, narrowed`,
      );
    set = new QuerySet(db, relation.model, stateOf(refined));
  }
  if (isSliced(stateOf(set)))
    throw new QueryError(
      `prefetchRelated('${relation.name}'): the related query cannot use limit or offset (they would apply to all rows at once)`,
    );
  if (relation.join) return linked(set, relation.join, keys);
  const key = relation.key!;
  const rows = (await set.filter({ [`${key}__in`]: keys } as never).all()) as Record<string, unknown>[];
  return rows.map((row) => ({ key: row[key], row }));
};

/**
 * A `QuerySet` over every row of `model` on `db`.
 *
 * @example
 * ```ts
 * import { connect, query } from 'voltjs/orm';
 * const db = await connect('sqlite:./data/app.db');
 * const published = await query(db, Book).filter({ status: 'published' }).all();
 * ```
 */
export function query<M extends AnyModel>(db: Database, model: M): QuerySet<M> {
  return new QuerySet(db, model);
}
