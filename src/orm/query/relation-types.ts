/**
 * The types of loaded relations, computed from the models: which paths `selectRelated()`
 * accepts (`author`, `book__author`), what a row gets for each, and what `prefetchRelated()`
 * adds (a list, or one row or `null` for a reverse one-to-one).
 */
import type { AnyModel, Model } from '../model.ts';
import type { ForwardRelationName, RelatedRow, Row } from '../types.ts';

type FieldsOf<M> = M extends Model<infer F> ? F : never;
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

type Flags<R, Test> = {
  [F in keyof FieldsOf<R>]: OptionsOf<FieldsOf<R>[F]> extends Test ? true : false;
}[keyof FieldsOf<R>];
type Has<R, Test> = true extends Flags<R, Test> ? true : false;

/**
 * `true` when `R`'s relation named `K` towards `M` is a one-to-one (one row, not a list): a
 * one-to-one with `relatedName: K`, or the only relation from `R` to `M` without a
 * `relatedName` is a one-to-one. Give the one-to-one a `relatedName` when `R` also has a
 * foreign key to `M` without one.
 */
export type IsReverseOne<M, K extends string, R> =
  Has<R, { '~relation': 'oneToOne'; relatedName: K }> extends true
    ? true
    : Has<R, { relatedName: K }> extends true
      ? false
      : Has<R, { '~relation': 'oneToOne'; '~to': () => M }> extends true
        ? Has<R, { '~relation': 'foreignKey'; '~to': () => M }> extends true
          ? false
          : true
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
export type ManyToManyName<M> = {
  [K in keyof FieldsOf<M>]: OptionsOf<FieldsOf<M>[K]> extends { '~relation': 'manyToMany' } ? K : never;
}[keyof FieldsOf<M>] &
  string;

type Options<R> = { [K in keyof FieldsOf<R>]: OptionsOf<FieldsOf<R>[K]> }[keyof FieldsOf<R>];

/** The `relatedName`s of `R`'s relations to `M`. */
type NamedReverse<M, R> =
  Options<R> extends infer O
    ? O extends { '~to': () => M; relatedName: infer N extends string }
      ? N
      : never
    : never;

/** Names `R`'s relations without a `relatedName` may have: `M`'s type cannot know the default (`reviewSet`). */
type UnnamedReverse<M, R> =
  Options<R> extends infer O
    ? O extends { '~relation': string; relatedName: string }
      ? never
      : O extends { '~relation': 'manyToMany' }
        ? string // a many-to-many's type keeps neither its target nor its relatedName
        : O extends { '~to': () => M }
          ? `${string}Set` | (O extends { '~relation': 'oneToOne' } ? string : never)
          : O extends { '~relation': string; '~to': string }
            ? string
            : never
    : never;

/**
 * What `prefetchRelated(name, R)` accepts on `M`: a many-to-many declared on `M`, or a relation
 * `R` declares towards `M`, by its `relatedName` (a misspelled name does not compile). A
 * relation without a `relatedName`, or whose target is given by its label, accepts its default
 * name (`reviewSet`), checked when the query is made.
 *
 * @example
 * ```ts
 * query(db, Book).prefetchRelated('reviews', Review); // Review's book: f.foreignKey(…, { relatedName: 'reviews' })
 * ```
 */
export type PrefetchName<M, R> = ManyToManyName<M> | NamedReverse<M, R> | UnnamedReverse<M, R>;
