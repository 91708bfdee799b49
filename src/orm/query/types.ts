/**
 * The types of query conditions, computed from a model: `{ title__icontains: 'dune' }` is
 * accepted for a string field `title`, `{ pages__gt: 'many' }` is not.
 */
import type { DateField, DatetimeField, TimeField } from '../fields/temporal.ts';
import type { FieldsOf } from '../model.ts';
import type { Row } from '../types.ts';
import type { Aggregate, AggregateFunction } from './aggregates.ts';
import type { Case } from './cases.ts';
import type { DateExtract, DateTrunc } from './dates.ts';
import type { Combined } from './expressions.ts';
import type { Expression, ExpressionKind } from './refs.ts';

/** Lookups comparing text. */
export type TextLookup = 'iexact' | 'contains' | 'icontains' | 'startsWith' | 'endsWith';
/** Lookups comparing order. */
export type OrderLookup = 'gt' | 'gte' | 'lt' | 'lte';
/** Every lookup a filter key can end with (`title__icontains`). */
export type Lookup = 'exact' | TextLookup | OrderLookup | 'in' | 'range' | 'isNull';
/** Parts of a date, datetime or time a filter can compare (`created__year__gte`); `weekDay` is 1 (Sunday) to 7. */
export type DatePart = 'year' | 'quarter' | 'month' | 'day' | 'weekDay' | 'hour' | 'minute' | 'second';

/** Another value of the row to compare with (`F('reserved')`), its names checked when filtering. */
type Other = { readonly '~expression': true };

type Conditions<R> = { [K in keyof R & string]?: R[K] } & {
  [K in keyof R & string as `${K}__exact`]?: R[K] | Other;
} & {
  [K in keyof R & string as NonNullable<R[K]> extends string ? `${K}__${TextLookup}` : never]?: string;
} & {
  [K in keyof R & string as `${K}__${OrderLookup}`]?: NonNullable<R[K]> | Other;
} & {
  [K in keyof R & string as `${K}__in`]?: readonly NonNullable<R[K]>[];
} & {
  [K in keyof R & string as `${K}__range`]?: readonly [NonNullable<R[K]>, NonNullable<R[K]>];
} & {
  [K in keyof R & string as `${K}__isNull`]?: boolean;
};

type Fields<M> = FieldsOf<M>;
type OptionsOf<F> = F extends { readonly '~options': infer O } ? O : never;

/** The date parts a field has: by its class, since a date and a time are strings in a row. */
type PartsOf<F> =
  F extends DatetimeField<any>
    ? DatePart
    : F extends DateField<any>
      ? 'year' | 'quarter' | 'month' | 'day' | 'weekDay'
      : F extends TimeField<any>
        ? 'hour' | 'minute' | 'second'
        : never;
type PartKey<M, Suffix extends string> = {
  [K in keyof Fields<M> & string]: `${K}__${PartsOf<Fields<M>[K]>}${Suffix}`;
}[keyof Fields<M> & string];
type DatePartConditions<M> = { [K in PartKey<M, '' | '__exact' | `__${OrderLookup}`>]?: number | Other } & {
  [K in PartKey<M, '__in'>]?: readonly number[];
} & { [K in PartKey<M, '__range'>]?: readonly [number, number] };

/** `M`'s foreign keys and one-to-ones whose target has a static type, by name. */
type ForwardTargets<M> = {
  [K in keyof Fields<M> & string as OptionsOf<Fields<M>[K]> extends {
    '~relation': 'foreignKey' | 'oneToOne';
    '~to': () => unknown;
  }
    ? K
    : never]: OptionsOf<Fields<M>[K]> extends { '~to': () => infer T } ? T : never;
};
type NullableRelation<M, K> = K extends keyof Fields<M>
  ? OptionsOf<Fields<M>[K]> extends { nullable: true }
    ? null
    : never
  : never;
/** `M`'s many-to-many field names. */
type ManyNames<M> = {
  [K in keyof Fields<M>]: OptionsOf<Fields<M>[K]> extends { '~relation': 'manyToMany' } ? K : never;
}[keyof Fields<M>] &
  string;
/** `M`'s foreign keys and one-to-ones given by label (`'library.Author'`): no static target type. */
type LabelNames<M> = {
  [K in keyof Fields<M>]: OptionsOf<Fields<M>[K]> extends {
    '~relation': 'foreignKey' | 'oneToOne';
    '~to': string;
  }
    ? K
    : never;
}[keyof Fields<M>] &
  string;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type Prefixed<P extends string, C> = { [K in keyof C as `${P}__${K & string}`]?: C[K] };
/** Hops still typed after this one: two in all (`review → book → author`). */
type Depth = [0, 0];
type Rest<D> = D extends [0, ...infer R] ? R : [];

// `F()` compares through a lookup key (`stock__lt`, `stock__exact`): as a bare key's value too,
// it would make the conditions' types too large for the compiler (TS2590).
type ColumnConditions<M> = Conditions<Row<M>> & DatePartConditions<M>;
type TypedFilter<M, D> = ColumnConditions<M> & RelationConditions<M, D>;
type RelationConditions<M, D> = D extends [0, ...unknown[]]
  ? [keyof ForwardTargets<M>] extends [never]
    ? {}
    : UnionToIntersection<
        {
          [K in keyof ForwardTargets<M> & string]: Prefixed<K, TypedFilter<ForwardTargets<M>[K], Rest<D>>> & {
            [Q in K]?: TypedFilter<ForwardTargets<M>[K], Rest<D>> & object;
          };
        }[keyof ForwardTargets<M> & string]
      >
  : {};

/**
 * Keys the types cannot check: paths through many-to-many fields (`tags__name`) and foreign
 * keys given by label, paths of three parts or more (reverse relations such as
 * `reviews__rating__gte`, which `M`'s type cannot know), paths through a default reverse name
 * (`bookSet__title`) and `<relation>__isNull`. They are checked against the models' meta when
 * `filter()` is called. Another two-part reverse path (`reviews__rating`) needs its lookup
 * spelled out: `reviews__rating__exact`.
 */
type LooseConditions<M> = {
  [K in
    | `${ManyNames<M> | LabelNames<M>}__${string}`
    | `${string}__${string}__${string}`
    | `${string}Set__${string}`
    | `${string}__isNull`]?: unknown;
} & { [K in ManyNames<M> | LabelNames<M>]?: object };

/**
 * The conditions `filter()` and `exclude()` accept for model `M`: row keys (`authorId` for a
 * foreign key), optionally with `__<lookup>`; date parts of datetimes (`created__year__gte`);
 * paths across foreign keys (`author__lastName__icontains`, or nested:
 * `{ author: { lastName__icontains: 'love' } }`), typed two hops deep; all must hold.
 *
 * @example
 * ```ts
 * const where: Filter<typeof Book> = { status: 'published', price__lt: '10.00', author__lastName: 'Lovelace' };
 * ```
 */
export type Filter<M> = TypedFilter<M, Depth> & LooseConditions<M>;

/**
 * What `filter()` and `exclude()` accept: a conditions object or an `or`/`and`/`not` tree of
 * them; `A` holds the query's annotations, which conditions may compare too.
 */
export type Where<M, A = {}> = (Filter<M> & Conditions<A>) | Combined<Filter<M> & Conditions<A>>;

/** A row key of model `M`. */
export type RowKey<M> = keyof Row<M> & string;

/** Paths to a column across foreign keys, two hops deep: `author__lastName`. */
export type ForwardPath<M, D = Depth> =
  | `${LabelNames<M>}__${string}`
  | (D extends [0, ...unknown[]]
      ? {
          [K in keyof ForwardTargets<M> & string]:
            | `${K}__${RowKey<ForwardTargets<M>[K]>}`
            | `${K}__${ForwardPath<ForwardTargets<M>[K], Rest<D>>}`;
        }[keyof ForwardTargets<M> & string]
      : never);

/** The value at a row key or a forward path of `M` (`unknown` for a path the types cannot follow). */
export type PathValue<M, P> = P extends keyof Row<M>
  ? Row<M>[P]
  : P extends `${infer K}__${infer F}`
    ? K extends keyof ForwardTargets<M>
      ? PathValue<ForwardTargets<M>[K], F> | NullableRelation<M, K>
      : unknown
    : unknown;

/** An ordering name: a row key, a forward path or an annotation; `-` first for descending. */
export type OrderName<M, A = {}> =
  | RowKey<M>
  | `-${RowKey<M>}`
  | ForwardPath<M>
  | `-${ForwardPath<M>}`
  | (keyof A & string)
  | `-${keyof A & string}`;

/** What `values()` can pick: row keys, forward paths (`author__lastName`) and annotations. */
export type ValueKey<M, A = {}> = RowKey<M> | ForwardPath<M> | (keyof A & string);

/** A row of `values(...keys)`. */
export type ValuesRow<M, A, K extends string> = {
  [P in K]: P extends keyof A ? A[P] : PathValue<M, P>;
};

/**
 * What an aggregate spec may hold for model `M`: `count` of anything (rows, a field, a relation
 * such as `reviews`), and `sum`/`avg`/`min`/`max` of a row key or a path (`reviews__rating`).
 */
export type AggregateSpec<M> = Record<
  string,
  | Aggregate<'count', string>
  | Aggregate<Exclude<AggregateFunction, 'count'>, RowKey<M> | `${string}__${string}`>
>;

/**
 * The value an aggregate gives: `count` a number; `avg` a number or null (a decimal string or
 * null for a decimal field); others the field's type or null.
 */
export type AggregateValue<M, G> =
  G extends Aggregate<'count', string>
    ? number
    : G extends Aggregate<'avg', infer P>
      ? (NonNullable<PathValue<M, P>> extends string ? string : number) | null
      : G extends Aggregate<AggregateFunction, infer P>
        ? unknown extends PathValue<M, P>
          ? unknown
          : NonNullable<PathValue<M, P>> | null
        : never;

/** The object `aggregate(spec)` resolves to. */
export type AggregateResult<M, S> = { -readonly [K in keyof S]: AggregateValue<M, S[K]> };

/** `M`'s row keys whose field is of class `C` (date, datetime, time fields). */
type KeysOfClass<M, C> = {
  [K in keyof Fields<M> & string]: Fields<M>[K] extends C ? K : never;
}[keyof Fields<M> & string];

/** What `trunc()` cuts: a date or datetime field, or a path across foreign keys. */
export type TruncPath<M> = KeysOfClass<M, DateField<any> | DatetimeField<any>> | ForwardPath<M>;
/** What `extract()` reads: a date, datetime or time field, or a path across foreign keys. */
export type ExtractPath<M> =
  | KeysOfClass<M, DateField<any> | DatetimeField<any> | TimeField<any>>
  | ForwardPath<M>;

/** What `F()` names in an annotation: a row key, a path across foreign keys, an annotation. */
export type FieldRef<M, A = {}> = RowKey<M> | ForwardPath<M> | (keyof A & string);

/**
 * What `annotate()` takes for model `M` (and the annotations `A` made before): aggregates over
 * relations (as `AggregateSpec`), dates cut down or read (`trunc('placedAt', 'month')`,
 * `extract('placedAt', 'year')`), and `F()` expressions (`F('price').minus(F('cost'))`).
 */
export type AnnotationSpec<M, A = {}> = Record<
  string,
  | AggregateSpec<M>[string]
  | DateTrunc<TruncPath<M>>
  | DateExtract<ExtractPath<M>>
  | Expression<FieldRef<M, A> | '~decimal', ExpressionKind>
  | Case<unknown, boolean>
>;

/** The value of a `when()…otherwise()`: each branch's (an `F()` typed as an annotation of it), null without `otherwise`. */
type CaseResult<M, A, V, Closed> =
  | (V extends Expression<infer N, infer K> ? ExpressionValue<M, A, N, K> : V)
  | (Closed extends true ? never : null);

/** The value of names `N` of `M` (and annotations `A`). */
type RefValue<M, A, N> = N extends keyof A ? A[N] : N extends '~decimal' ? string : PathValue<M, N>;

/**
 * An `F()` expression's value: a field's own type for `F('price')`; for arithmetic a number, or
 * decimal text when a decimal takes part, null when a value is null (or a division by zero).
 */
type ExpressionValue<M, A, N, K> = K extends 'ref'
  ? RefValue<M, A, N>
  : ArithmeticValue<RefValue<M, A, N>> | (K extends 'divided' ? null : NullOf<RefValue<M, A, N>>);
/** A number, or decimal text when a decimal or decimal text takes part. */
type ArithmeticValue<V> = [NonNullable<V>] extends [number] ? number : string;
/** `null` when some value may be null. */
type NullOf<V> = null extends V ? null : never;

/**
 * The value an annotation gives: an aggregate's (`AggregateValue`); a truncated date or
 * datetime the field's type (a `Date`, a date string); an extracted part a number (or null
 * for a nullable field).
 */
export type AnnotationValue<M, G, A = {}> =
  G extends DateTrunc<infer P>
    ? PathValue<M, P>
    : G extends DateExtract<infer P>
      ? number | (null extends PathValue<M, P> ? null : never)
      : G extends Expression<infer N, infer K>
        ? ExpressionValue<M, A, N, K>
        : G extends Case<infer V, infer Closed>
          ? CaseResult<M, A, V, Closed>
          : AggregateValue<M, G>;

/** What `annotate(spec)` adds to each row (and what later filters, `orderBy` and `values` name). */
export type AnnotationResult<M, S, A = {}> = { -readonly [K in keyof S]: AnnotationValue<M, S[K], A> };

/** Options of a grouped aggregate. */
export interface GroupOptions<M, S> {
  /** Conditions on the groups (SQL `having`): aggregate names with lookups, like `{ books__gte: 2 }`. */
  having?: Conditions<AggregateResult<M, S>>;
}

/** What `groupBy()` can group by: row keys, forward paths (`customer__country`) and annotations. */
export type GroupName<M, A = {}> = RowKey<M> | ForwardPath<M> | (keyof A & string);

/**
 * `query.groupBy(...keys)`: one row per distinct combination of the keys, with aggregates.
 *
 * @example
 * ```ts
 * const perAuthor = await query(db, Book).groupBy('authorId').aggregate({ books: count(), total: sum('price') });
 * // [{ authorId: 1, books: 2, total: '29.40' }, …]
 * ```
 */
export interface Grouping<M, K extends string, A = {}> {
  /** Runs the grouped query: rows ordered by the keys. */
  aggregate<const S extends AggregateSpec<M>>(
    spec: S,
    options?: GroupOptions<M, S>,
  ): Promise<
    {
      [P in K | keyof S]: P extends keyof S
        ? AggregateValue<M, S[P]>
        : P extends keyof A
          ? A[P]
          : PathValue<M, P>;
    }[]
  >;
}

/**
 * A row of `M` with the relations loaded so far (`X`): `Row<M>` when none were.
 *
 * @example
 * ```ts
 * type B = Loaded<typeof Book, { author: Row<typeof Author> }>; // Row<typeof Book> & { author: … }
 * ```
 */
export type Loaded<M, X> = keyof X extends never ? Row<M> : { [K in keyof (Row<M> & X)]: (Row<M> & X)[K] };
