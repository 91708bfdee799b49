/**
 * The types of loaded relations, computed from the models: which paths `selectRelated()`
 * accepts (`author`, `book__author`), what a row gets for each, and what `prefetchRelated()`
 * adds (a list, or one row or `null` for a reverse one-to-one).
 */
import type { AnyModel, FieldsOf } from '../model.ts';
import type { ForwardRelationName, RelatedRow, Row } from '../types.ts';
import type { KeyHandle, ManyToManyHandle, ReverseHandle } from './handles.ts';

type OptionsOf<F> = F extends { readonly '~options': infer O } ? O : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The model a foreign key `K` of `M` points at (`unknown` for a target given by label). */
type TargetOf<M, K extends PropertyKey> =
  OptionsOf<FieldsOf<M>[K & keyof FieldsOf<M>]> extends { '~to': infer R }
    ? R extends () => infer T
      ? T
      : unknown
    : unknown;

/**
 * What `selectRelated()` accepts for `M`: a foreign key or one-to-one (`author`), or a path of
 * them (`book__author`, up to three hops typed; a label target's further hops are any text).
 *
 * @example
 * ```ts
 * type P = SelectPath<typeof Review>; // 'book' | 'book__author' | 'book__editor' | …
 * ```
 */
export type SelectPath<M, Depth extends unknown[] = []> = Depth['length'] extends 3
  ? never
  : {
      [K in ForwardRelationName<M>]:
        | K
        | (TargetOf<M, K> extends AnyModel
            ? `${K}__${SelectPath<TargetOf<M, K>, [...Depth, 0]>}`
            : `${K}__${string}`);
    }[ForwardRelationName<M>];

type Head<P extends string> = P extends `${infer H}__${string}` ? H : P;
type Tail<P extends string, H extends string> = P extends `${H}__${infer T}` ? T : never;

type Joined<M, H extends string, T extends string> =
  | (TargetOf<M, H> extends AnyModel
      ? [T] extends [never]
        ? Row<TargetOf<M, H>>
        : Simplify<Row<TargetOf<M, H>> & SelectedRows<TargetOf<M, H>, T>>
      : Exclude<RelatedRow<M, H & keyof FieldsOf<M>>, null>)
  | (null extends RelatedRow<M, H & keyof FieldsOf<M>> ? null : never);

/**
 * What `selectRelated(...paths)` adds to a row of `M`: each first hop's row, holding the next
 * hops' rows (`{ book: Row<Book> & { author: Row<Author> } }`); `| null` for a nullable key.
 */
export type SelectedRows<M, P extends string> = { [H in Head<P>]: Joined<M, H, Tail<P, H>> };

/** The label of a model's type: `'library.Book'`, or `string` when the type does not say. */
type LabelOf<M> = M extends { readonly label: infer L extends string } ? L : string;
type AppOf<L extends string> = L extends `${infer A}.${string}` ? A : string;
type NameOf<L extends string> = L extends `${string}.${infer N}` ? N : string;

/**
 * The reverse name a relation declared on `R` gets without a `relatedName`: `bookSet`, or
 * `book` for a one-to-one (the lower-case first letter of `R`'s name).
 *
 * @example
 * ```ts
 * type N = DefaultReverseName<typeof Book, 'foreignKey'>; // 'bookSet'
 * ```
 */
export type DefaultReverseName<R, Kind> = Kind extends 'oneToOne'
  ? Uncapitalize<NameOf<LabelOf<R>>>
  : `${Uncapitalize<NameOf<LabelOf<R>>>}Set`;

type TargetRef<O> = O extends { '~to': infer T } ? T : never;

/** The full label a target label names from `R` (`'Author'` → `'library.Author'`). */
type FullLabel<T extends string, R> = T extends `${string}.${string}` ? T : `${AppOf<LabelOf<R>>}.${T}`;

/**
 * Whether the relation options `O`, declared on `R`, point at `M`: `true`, `false`, or `'maybe'`
 * when a label cannot be compared (a model's type without its label).
 */
type PointsAt<O, M, R> =
  TargetRef<O> extends () => infer T
    ? [T] extends [M]
      ? true
      : false
    : TargetRef<O> extends 'self'
      ? [R] extends [M]
        ? [M] extends [R]
          ? true
          : false
        : false
      : TargetRef<O> extends infer T extends string
        ? string extends LabelOf<M> | FullLabel<T, R>
          ? 'maybe'
          : FullLabel<T, R> extends LabelOf<M>
            ? true
            : false
        : false;

/** `true` when the options `O` declared on `R` point at `R` itself by `'self'` or its label. */
type PointsAtItself<O, R> =
  TargetRef<O> extends 'self'
    ? true
    : TargetRef<O> extends infer T extends string
      ? string extends LabelOf<R>
        ? false
        : FullLabel<T, R> extends LabelOf<R>
          ? true
          : false
      : false;

/** `true` for a symmetrical many-to-many: to its own model, without `symmetrical: false`. */
type IsSymmetrical<O, R> = O extends { '~relation': 'manyToMany' }
  ? O extends { symmetrical: false }
    ? false
    : PointsAtItself<O, R>
  : false;

type Options<R> = { [K in keyof FieldsOf<R>]: OptionsOf<FieldsOf<R>[K]> }[keyof FieldsOf<R>];

/** The name of the reverse side of the relation options `O` declared on `R`. */
type ReverseNameOf<O, R> = O extends { relatedName: infer N extends string }
  ? N
  : O extends { '~relation': infer Kind }
    ? DefaultReverseName<R, Kind>
    : never;

/**
 * The reverse names of `R`'s relations to `M`: each `relatedName`, or the default name
 * (`reviewSet`, `profile` for a one-to-one). A symmetrical many-to-many has none.
 */
type ReverseName<M, R, Kind = string> =
  Options<R> extends infer O
    ? O extends { '~relation': Kind }
      ? PointsAt<O, M, R> extends false
        ? never
        : IsSymmetrical<O, R> extends true
          ? never
          : ReverseNameOf<O, R>
      : never
    : never;

type Flags<R, Test> = {
  [F in keyof FieldsOf<R>]: OptionsOf<FieldsOf<R>[F]> extends Test ? true : false;
}[keyof FieldsOf<R>];
type Has<R, Test> = true extends Flags<R, Test> ? true : false;

/**
 * `true` when `R`'s relation named `K` towards `M` is a one-to-one (one row, not a list): a
 * one-to-one with `relatedName: K`, or without one when `K` is its default name (`profile`).
 * When the types do not know `R`'s label, the only relation from `R` to `M` without a
 * `relatedName` being a one-to-one makes it one (give the one-to-one a `relatedName` when `R`
 * also has a foreign key to `M` without one).
 */
export type IsReverseOne<M, K extends string, R> =
  Has<R, { '~relation': 'oneToOne'; relatedName: K }> extends true
    ? true
    : Has<R, { relatedName: K }> extends true
      ? false
      : string extends LabelOf<R>
        ? Has<R, { '~relation': 'oneToOne'; '~to': () => M }> extends true
          ? Has<R, { '~relation': 'foreignKey'; '~to': () => M }> extends true
            ? false
            : true
          : false
        : K extends ReverseName<M, R, 'oneToOne'>
          ? true
          : false;

/**
 * What `prefetchRelated(K, R)` adds to a row of `M`: `{ K: Item[] }`, or `{ K: Item | null }`
 * for a reverse one-to-one.
 */
export type PrefetchedRows<M, K extends string, R, Item> = {
  [P in K]: IsReverseOne<M, K, R> extends true ? Item | null : Item[];
};

/**
 * The names of `M`'s declared many-to-manys (`tags`): what `related()` suggests (reverse
 * names such as `bookSet` are accepted too, checked at run time).
 */
export type ManyToManyName<M> =
  IsAny<FieldsOf<M>> extends true
    ? string
    : {
        [K in keyof FieldsOf<M>]: OptionsOf<FieldsOf<M>[K]> extends { '~relation': 'manyToMany' } ? K : never;
      }[keyof FieldsOf<M>] &
        string;

/**
 * The names of the many-to-manys `R` declares towards `M`, seen from `M`: each `relatedName`,
 * or the default (`bookSet`); none for a symmetrical one.
 *
 * @example
 * ```ts
 * type N = ReverseManyToManyName<typeof Tag, typeof Book>; // 'bookSet'
 * ```
 */
export type ReverseManyToManyName<M, R> =
  IsAny<FieldsOf<R>> extends true ? string : ReverseName<M, R, 'manyToMany'> & string;

/**
 * What `prefetchRelated(name, R)` accepts on `M`: a many-to-many declared on `M`, or a relation
 * `R` declares towards `M`, by its `relatedName` or its default name (`reviewSet`; `review`
 * for a one-to-one): a misspelled name does not compile. (When a model's type has no label,
 * the default names are only known to end in `Set`; they are checked when the query is made.)
 *
 * @example
 * ```ts
 * query(db, Book).prefetchRelated('reviews', Review); // Review's book: f.foreignKey(…, { relatedName: 'reviews' })
 * ```
 */
export type PrefetchName<M, R> =
  | ManyToManyName<M>
  | (IsAny<FieldsOf<R>> extends true ? string : ReverseName<M, R> & string);

// --- Relation handles: Model.rel ------------------------------------------------------------------

type IsAny<T> = 0 extends 1 & T ? true : false;
type FieldOptionsOf<M, K> = OptionsOf<FieldsOf<M>[K & keyof FieldsOf<M>]>;
type RelationKey<M> = {
  [K in keyof FieldsOf<M>]: FieldOptionsOf<M, K> extends { '~relation': string } ? K : never;
}[keyof FieldsOf<M>] &
  string;

/**
 * The model the relation `K` of `M` points at: a function's model, `M` itself for `'self'` or
 * its own label, else `any` (a label the types cannot follow: checked at run time).
 *
 * @example
 * ```ts
 * type T = RelatedModel<typeof Book, 'tags'>; // typeof Tag
 * ```
 */
export type RelatedModel<M, K> =
  TargetRef<FieldOptionsOf<M, K>> extends () => infer T
    ? T extends AnyModel
      ? T
      : any
    : PointsAtItself<FieldOptionsOf<M, K>, M> extends true
      ? M
      : any;

type IsOneToOne<O> = O extends { '~relation': 'oneToOne' } ? true : false;

/** `Book.rel.author.reverse`: the key seen from its target (`Author.rel.bookSet`). */
export type ReverseOfKey<M extends AnyModel, K extends string, T extends AnyModel> = ReverseHandle<
  T,
  ReverseNameOf<FieldOptionsOf<M, K>, M> & string,
  M,
  K,
  IsOneToOne<FieldOptionsOf<M, K>>
>;

/**
 * `Book.rel.tags.reverse` (`Tag.rel.bookSet`), `Tag.rel.bookSet.reverse` (`Book.rel.tags`);
 * `undefined` for a symmetrical many-to-many, which has no other side.
 */
export type ReverseOfManyToMany<
  M extends AnyModel,
  K extends string,
  T extends AnyModel,
  F extends string | undefined,
> = F extends string
  ? ManyToManyHandle<T, F, M, undefined>
  : IsSymmetrical<FieldOptionsOf<M, K>, M> extends true
    ? undefined
    : ManyToManyHandle<T, ReverseNameOf<FieldOptionsOf<M, K>, M> & string, M, K>;

type ForwardHandles<M extends AnyModel> = {
  readonly [K in RelationKey<M>]: FieldOptionsOf<M, K> extends { '~relation': 'manyToMany' }
    ? ManyToManyHandle<M, K, RelatedModel<M, K>, undefined>
    : KeyHandle<M, K, RelatedModel<M, K>>;
};

/** The reverse name of `M`'s relation `K` when it points at `M` itself (and is not symmetrical). */
type SelfReverseName<M, K> =
  PointsAtItself<FieldOptionsOf<M, K>, M> extends true
    ? IsSymmetrical<FieldOptionsOf<M, K>, M> extends true
      ? never
      : ReverseNameOf<FieldOptionsOf<M, K>, M> & string
    : never;

type SelfReverseHandles<M extends AnyModel> = {
  readonly [K in RelationKey<M> as SelfReverseName<M, K>]: FieldOptionsOf<M, K> extends {
    '~relation': 'manyToMany';
  }
    ? ManyToManyHandle<M, SelfReverseName<M, K>, M, K>
    : ReverseHandle<M, SelfReverseName<M, K>, M, K, IsOneToOne<FieldOptionsOf<M, K>>>;
};

/**
 * `Model.rel`: a handle per relation of `M` — its foreign keys, one-to-ones and many-to-manys,
 * and the reverse sides of its relations to itself (`Category.rel.children`). A model's type
 * cannot know which other models point at it: their reverse handles exist at run time
 * (`Author.rel.bookSet`) and are typed from the declaring side (`Book.rel.author.reverse`).
 *
 * @example
 * ```ts
 * type H = keyof Relations<typeof Book>; // 'author' | 'editor' | 'tags'
 * ```
 */
export type Relations<M extends AnyModel> =
  IsAny<FieldsOf<M>> extends true ? any : ForwardHandles<M> & SelfReverseHandles<M>;
