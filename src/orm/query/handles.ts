/**
 * Relation handles: `Model.rel.<name>`, a model's relation as a value. `Book.rel.tags.of(db,
 * book)` manages one row's links, `query(db, Book).prefetchRelated(Book.rel.tags)` loads them,
 * `query(db, Book).selectRelated(Book.rel.author)` joins a foreign key: no name in a string, no
 * model given twice, and a misspelled handle does not compile.
 *
 * `Model.rel` is built on first use, from the model's relations and the registry's (so models
 * may refer to each other by function or label, declared in any order), then kept until the
 * registry changes. A handle resolves its target, join table and what `prefetchRelated` needs
 * once; a query reuses them.
 */
import type { Database } from '../database.ts';
import type { RelationField } from '../fields/relation.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import { type JoinTable, joinTable } from './join-table.ts';
import type { RelatedManager, RelatedOptions, RowOrKey } from './many-to-many.ts';
import { relatedManager } from './queryset.ts';
import type { ReverseOfKey, ReverseOfManyToMany } from './relation-types.ts';
import type { Prefetch } from './relations.ts';

/**
 * What a handle's type says, for the query methods that take one: the model it belongs to, its
 * name, the model of its rows (`any` for a target given by a label), whether it loads one row
 * (a reverse one-to-one), and how a query uses it.
 */
export interface HandleTypes<M, K extends string, T, S extends boolean, U extends 'select' | 'prefetch'> {
  readonly model: M;
  readonly name: K;
  readonly target: T;
  readonly single: S;
  readonly use: U;
}

/**
 * The kind of relation a handle stands for, seen from its model.
 *
 * @example
 * ```ts
 * Book.rel.author.kind;         // 'foreignKey'
 * Book.rel.author.reverse.kind; // 'reverseForeignKey' (Author.rel.bookSet)
 * Book.rel.tags.kind;           // 'manyToMany', from either side
 * ```
 */
export type HandleKind = 'foreignKey' | 'oneToOne' | 'manyToMany' | 'reverseForeignKey' | 'reverseOneToOne';

/** What every handle has. */
abstract class Handle<M extends AnyModel, K extends string> {
  /** The model whose relation this is (`Book` for `Book.rel.tags`). */
  readonly model: M;
  /** The relation's name on `model` (`tags`; a reverse relation's `relatedName` or `bookSet`). */
  readonly name: K;
  /** The relation field (declared on `model`, or on the other model for a reverse relation). */
  readonly field: RelationField;
  abstract readonly kind: HandleKind;

  constructor(model: M, name: K, field: RelationField) {
    this.model = model;
    this.name = name;
    this.field = field;
  }

  /** `library.Book.rel.tags`, as errors name it. */
  toString(): string {
    return `${this.model.meta.label}.rel.${this.name}`;
  }
}

/**
 * A foreign key or one-to-one of `M`: `Book.rel.author`. `selectRelated(Book.rel.author)` joins
 * it; `reverse` is the relation seen from the target (`Author`'s `bookSet`).
 *
 * @example
 * ```ts
 * const books = await query(db, Book).selectRelated(Book.rel.author).all();
 * books[0]!.author.name; // 'Ada'
 * ```
 */
export class KeyHandle<
  M extends AnyModel = AnyModel,
  K extends string = string,
  T extends AnyModel = AnyModel,
> extends Handle<M, K> {
  declare readonly '~handle': HandleTypes<M, K, T, false, 'select'>;
  readonly kind: 'foreignKey' | 'oneToOne';

  constructor(model: M, field: RelationField) {
    super(model, field.name as K, field);
    this.kind = field.kind as 'foreignKey' | 'oneToOne';
    Object.freeze(this);
  }

  /** The model the key points at (resolved on first use). */
  get target(): T {
    return this.field.target as T;
  }

  /** The same relation seen from the target: `Book.rel.author.reverse` is `Author.rel.bookSet`. */
  get reverse(): ReverseOfKey<M, K, T> {
    return reverseHandle(this.field) as ReverseOfKey<M, K, T>;
  }
}

/**
 * A many-to-many of `M`, declared on it (`Book.rel.tags`) or pointing at it (`Tag.rel.bookSet`):
 * `of(db, row)` manages one row's links, `prefetchRelated(Book.rel.tags)` loads them.
 *
 * @example
 * ```ts
 * const tags = Book.rel.tags.of(db, book);
 * await tags.add('sf', 'space');
 * const books = await query(db, Book).prefetchRelated(Book.rel.tags).all();
 * books[0]!.tags.map((t) => t.slug); // ['sf', 'space']
 * ```
 */
export class ManyToManyHandle<
  M extends AnyModel = AnyModel,
  K extends string = string,
  T extends AnyModel = AnyModel,
  F extends string | undefined = string | undefined,
> extends Handle<M, K> {
  declare readonly '~handle': HandleTypes<M, K, T, false, 'prefetch'>;
  readonly kind = 'manyToMany';
  /** `true` for the side pointed at (`Tag.rel.bookSet`), `false` for the declaring side. */
  readonly reversed: boolean;
  #join: JoinTable | undefined;
  #prefetch: Prefetch | undefined;

  constructor(model: M, name: K, field: RelationField, reversed: boolean) {
    super(model, name, field);
    this.reversed = reversed;
    Object.freeze(this);
  }

  /** The model on the other side (resolved on first use). */
  get target(): T {
    return (this.reversed ? this.field.model : this.field.target) as T;
  }

  /** The join table seen from `model`. */
  get join(): JoinTable {
    this.#join ??= joinTable(this.field, this.reversed);
    return this.#join;
  }

  /**
   * The same relation seen from the other side (`Book.rel.tags.reverse` is `Tag.rel.bookSet`);
   * `undefined` for a symmetrical many-to-many, which has no other side.
   */
  get reverse(): ReverseOfManyToMany<M, K, T, F> {
    const other = this.reversed
      ? forwardHandle(this.field)
      : this.field.symmetrical
        ? undefined
        : reverseHandle(this.field);
    return other as unknown as ReverseOfManyToMany<M, K, T, F>;
  }

  /**
   * The manager of `row`'s links (`row` or its primary key): `all`, `count`, `add`, `remove`,
   * `set`, `clear`, typed with the target's rows. `options.throughDefaults` fills a `through`
   * model's other fields on `add` and `set`.
   *
   * @example
   * ```ts
   * await Book.rel.tags.of(db, book).set(['sf', 'space']); // { added: 2, removed: 0 }
   * await Tag.rel.bookSet.of(db, 'sf').count(); // 1
   * ```
   */
  of(db: Database, row: RowOrKey<M>, options: RelatedOptions = {}): RelatedManager<T> {
    return relatedManager(
      db,
      this.model,
      this.join,
      this.name,
      row,
      options,
      `${this}.of`,
    ) as RelatedManager<T>;
  }

  /** What `prefetchRelated` loads (without a refining function). */
  get prefetch(): Prefetch {
    this.#prefetch ??= Object.freeze({
      name: this.name,
      model: this.target,
      single: false,
      join: this.join,
      refine: undefined,
    });
    return this.#prefetch;
  }
}

/**
 * A foreign key or one-to-one of another model, seen from the model it points at:
 * `Author.rel.bookSet` (a list of books per author), `Author.rel.profile` (a reverse one-to-one:
 * one row or `null`). `prefetchRelated` loads it.
 *
 * @example
 * ```ts
 * const authors = await query(db, Author).prefetchRelated(Book.rel.author.reverse).all();
 * authors[0]!.bookSet.map((b) => b.title); // ['Dune', 'Emma']
 * ```
 */
export class ReverseHandle<
  M extends AnyModel = AnyModel,
  K extends string = string,
  T extends AnyModel = AnyModel,
  F extends string = string,
  S extends boolean = boolean,
> extends Handle<M, K> {
  declare readonly '~handle': HandleTypes<M, K, T, S, 'prefetch'>;
  readonly kind: 'reverseForeignKey' | 'reverseOneToOne';
  /** `true` for a reverse one-to-one: one row or `null`. */
  readonly single: S;
  #prefetch: Prefetch | undefined;

  constructor(model: M, field: RelationField) {
    super(model, field.relatedName as K, field);
    this.single = (field.kind === 'oneToOne') as S;
    this.kind = this.single ? 'reverseOneToOne' : 'reverseForeignKey';
    Object.freeze(this);
  }

  /** The model declaring the key (`Book` for `Author.rel.bookSet`). */
  get target(): T {
    return this.field.model as T;
  }

  /** The key itself: `Author.rel.bookSet.reverse` is `Book.rel.author`. */
  get reverse(): KeyHandle<T, F, M> {
    return forwardHandle(this.field) as KeyHandle<T, F, M>;
  }

  /** What `prefetchRelated` loads (without a refining function). */
  get prefetch(): Prefetch {
    this.#prefetch ??= Object.freeze({
      name: this.name,
      model: this.target,
      single: this.single,
      key: this.field.attribute,
      refine: undefined,
    });
    return this.#prefetch;
  }
}

/** Any handle. */
export type AnyHandle = KeyHandle | ManyToManyHandle | ReverseHandle;

/** A handle `selectRelated` takes on a query of `M`: one of its foreign keys or one-to-ones. */
export interface SelectHandle<M> {
  readonly '~handle': HandleTypes<M, string, AnyModel, false, 'select'>;
}

/** A handle `prefetchRelated` takes on a query of `M`: a many-to-many or a reverse relation of `M`. */
export interface PrefetchHandle<M> {
  readonly '~handle': HandleTypes<M, string, AnyModel, boolean, 'prefetch'>;
}

const forward = new WeakMap<RelationField, KeyHandle | ManyToManyHandle>();
const backward = new WeakMap<RelationField, ReverseHandle | ManyToManyHandle>();

/** The handle of a relation field on the model declaring it, made once. */
function forwardHandle(field: RelationField): KeyHandle | ManyToManyHandle {
  let handle = forward.get(field);
  if (!handle) {
    const model = field.model!;
    handle =
      field.kind === 'manyToMany'
        ? new ManyToManyHandle(model, field.name, field, false)
        : new KeyHandle(model, field);
    forward.set(field, handle);
  }
  return handle;
}

/** The handle of a relation field on the model it points at, made once. */
function reverseHandle(field: RelationField): ReverseHandle | ManyToManyHandle {
  let handle = backward.get(field);
  if (!handle) {
    const model = field.target;
    handle =
      field.kind === 'manyToMany'
        ? new ManyToManyHandle(model, field.relatedName, field, true)
        : new ReverseHandle(model, field);
    backward.set(field, handle);
  }
  return handle;
}

const built = new WeakMap<AnyModel, { version: number; rel: Readonly<Record<string, AnyHandle>> }>();

/**
 * `model.rel`: a handle per relation, its own (foreign keys, one-to-ones, many-to-manys) and
 * those of other models pointing at it (by `relatedName` or `bookSet`), built on first use and
 * again only when the registry has changed.
 *
 * @example
 * ```ts
 * Object.keys(Author.rel); // ['country', 'bookSet', 'profile']
 * ```
 */
export function relationsOf(model: AnyModel): Readonly<Record<string, AnyHandle>> {
  const version = model.meta.registry.version;
  const cached = built.get(model);
  if (cached?.version === version) return cached.rel;
  const rel: Record<string, AnyHandle> = {};
  for (const field of model.meta.forwardRelations) rel[field.name] = forwardHandle(field);
  for (const relation of model.meta.reverseRelations) rel[relation.name] = reverseHandle(relation.field);
  Object.freeze(rel);
  built.set(model, { version, rel });
  return rel;
}

/** `true` when `value` is a relation handle. */
export function isHandle(value: unknown): value is AnyHandle {
  return value instanceof Handle;
}

/**
 * `handle` when it is one of `model`'s and `method` can take it; a `QueryError` naming the fix
 * otherwise (checked before any SQL).
 */
export function ownHandle(
  model: AnyModel,
  handle: AnyHandle,
  method: 'selectRelated' | 'prefetchRelated',
): AnyHandle {
  if (handle.model !== model)
    throw new QueryError(
      `${method}: ${handle} is a relation of ${handle.model.meta.label}, not of ${model.meta.label}; ` +
        `give one of ${model.meta.label}.rel`,
    );
  const selects = handle instanceof KeyHandle;
  if (method === 'selectRelated' && !selects)
    throw new QueryError(
      `selectRelated: ${handle} is not a foreign key or one-to-one of ${model.meta.label}; load it with prefetchRelated(${handle})`,
    );
  if (method === 'prefetchRelated' && selects)
    throw new QueryError(
      `prefetchRelated: ${handle} is a foreign key of ${model.meta.label}; join it with selectRelated(${handle})`,
    );
  return handle;
}
