/**
 * The types of query conditions, computed from a model: `{ title__icontains: 'dune' }` is
 * accepted for a string field `title`, `{ pages__gt: 'many' }` is not.
 */
import type { Row } from '../types.ts';

/** Lookups comparing text. */
export type TextLookup = 'iexact' | 'contains' | 'icontains' | 'startsWith' | 'endsWith';
/** Lookups comparing order. */
export type OrderLookup = 'gt' | 'gte' | 'lt' | 'lte';
/** Every lookup a filter key can end with (`title__icontains`). */
export type Lookup = 'exact' | TextLookup | OrderLookup | 'in' | 'range' | 'isNull';

type Conditions<R> = { [K in keyof R & string]?: R[K] } & {
  [K in keyof R & string as `${K}__exact`]?: R[K];
} & {
  [K in keyof R & string as NonNullable<R[K]> extends string ? `${K}__${TextLookup}` : never]?: string;
} & {
  [K in keyof R & string as `${K}__${OrderLookup}`]?: NonNullable<R[K]>;
} & {
  [K in keyof R & string as `${K}__in`]?: readonly NonNullable<R[K]>[];
} & {
  [K in keyof R & string as `${K}__range`]?: readonly [NonNullable<R[K]>, NonNullable<R[K]>];
} & {
  [K in keyof R & string as `${K}__isNull`]?: boolean;
};

/**
 * The conditions `filter()` and `exclude()` accept for model `M`: row keys (`authorId` for a
 * foreign key), optionally with `__<lookup>`; all must hold.
 *
 * @example
 * ```ts
 * const where: Filter<typeof Book> = { status: 'published', price__lt: '10.00', authorId__in: [1, 2] };
 * ```
 */
export type Filter<M> = Conditions<Row<M>>;

/** A row key of model `M`. */
export type RowKey<M> = keyof Row<M> & string;

/** An ordering name: a row key, `-` first for descending. */
export type OrderName<M> = RowKey<M> | `-${RowKey<M>}`;

/**
 * A row of `M` with the relations loaded so far (`X`): `Row<M>` when none were.
 *
 * @example
 * ```ts
 * type B = Loaded<typeof Book, { author: Row<typeof Author> }>; // Row<typeof Book> & { author: … }
 * ```
 */
export type Loaded<M, X> = keyof X extends never ? Row<M> : { [K in keyof (Row<M> & X)]: (Row<M> & X)[K] };
