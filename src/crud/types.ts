/**
 * The types of a resource's routes, as the typed client (`voltjs/client`) reads them: computed
 * from the model's fields and the options given, so a client of `app.include(resource(…))`
 * autocompletes the paths, the declared filters and the row's fields the day the model exists.
 * Type-only.
 */
import type { Static, TSchema } from 'typebox';
import type { QueryValue, RouteTypes } from '../http/route-types.ts';
import type { AnyModel } from '../orm/model.ts';
import type { CreateInput, Row, UpdateInput } from '../orm/types.ts';
import type { Lookup, Operation } from './options.ts';

type Given<O, K extends PropertyKey> = O extends { readonly [P in K]?: infer V }
  ? Exclude<V, undefined>
  : undefined;
type Names<L> = L extends readonly (infer N)[] ? N & string : never;

/**
 * A related row: one for a foreign key (`category` beside `categoryId`; `null` for a null key or
 * a row its model's scope hides), a list otherwise.
 */
type Related<M, K extends string, T> = T extends AnyModel
  ? `${K}Id` extends keyof Row<M>
    ? Row<T> | null
    : Row<T>[]
  : never;

type Fields<M, O> =
  Given<O, 'fields'> extends undefined ? Row<M> : Pick<Row<M>, Names<Given<O, 'fields'>> & keyof Row<M>>;
type Nested<M, O> =
  Given<O, 'nested'> extends infer N extends object ? { [K in keyof N & string]: Related<M, K, N[K]> } : {};
type Expanded<M, O> =
  Given<O, 'expand'> extends infer E extends object ? { [K in keyof E & string]?: Related<M, K, E[K]> } : {};

/** A row as a resource's reads answer it: its fields, nested relations, expandable ones optional. */
export type ResourceItem<M, O> = Fields<M, O> & Nested<M, O> & Expanded<M, O>;
/** A row as a resource's writes answer it (without the expandable relations). */
export type ResourceWritten<M, O> = Fields<M, O> & Nested<M, O>;

type FilterNames<F> = {
  [P in keyof F & string]: F[P] extends true
    ? P | `${P}__in`
    : F[P] extends readonly (infer L extends Lookup)[]
      ? L extends 'exact'
        ? P
        : `${P}__${L}`
      : never;
}[keyof F & string];

/** The query of a resource's list: paging, ordering, search, fields, expand, count, and its declared filters. */
export type ResourceListQuery<O> = {
  limit?: number;
  cursor?: string;
  page?: number;
  ordering?: string;
  search?: string;
  fields?: string;
  expand?: string;
  count?: boolean;
} & { [K in FilterNames<Given<O, 'filters'>>]?: QueryValue };

/** A page of a resource's list. */
export interface ResourcePage<T> {
  next: string | null;
  previous: string | null;
  count?: number;
  results: T[];
}

type LookupKey<M, O> = Given<O, 'lookup'> extends infer K extends string ? K : 'id' & keyof Row<M>;
type Params<M, O> = { [K in LookupKey<M, O>]: K extends keyof Row<M> ? Row<M>[K] & QueryValue : QueryValue };

type Writable<M, O> =
  Given<O, 'writable'> extends undefined
    ? keyof CreateInput<M>
    : Names<Given<O, 'writable'>> & keyof CreateInput<M>;
type WriteKeys<M, O> = Exclude<Writable<M, O>, Names<Given<O, 'readOnly'>>>;
type CreateBody<M, O> = Pick<CreateInput<M>, WriteKeys<M, O> & keyof CreateInput<M>>;
type UpdateBody<M, O> = Pick<UpdateInput<M>, WriteKeys<M, O> & keyof UpdateInput<M>>;

type Has<O, Op extends Operation> =
  Given<O, 'operations'> extends undefined ? true : Op extends Names<Given<O, 'operations'>> ? true : false;
type When<C, T> = C extends true ? T : {};

type ListRoute<M, O> =
  Given<O, 'pagination'> extends 'none'
    ? RouteTypes<{}, ResourceListQuery<O>, unknown, { 200: ResourceItem<M, O>[] }>
    : RouteTypes<{}, ResourceListQuery<O>, unknown, { 200: ResourcePage<ResourceItem<M, O>>; 404: unknown }>;
type ItemQuery = { fields?: string; expand?: string };

type Collection<M, O> = When<Has<O, 'list'>, { GET: ListRoute<M, O> }> &
  When<Has<O, 'create'>, { POST: RouteTypes<{}, {}, CreateBody<M, O>, { 201: ResourceWritten<M, O> }> }>;
type Detail<M, O> = When<
  Has<O, 'retrieve'>,
  { GET: RouteTypes<Params<M, O>, ItemQuery, unknown, { 200: ResourceItem<M, O>; 304: undefined }> }
> &
  When<
    Has<O, 'replace'>,
    { PUT: RouteTypes<Params<M, O>, {}, CreateBody<M, O>, { 200: ResourceWritten<M, O> }> }
  > &
  When<
    Has<O, 'update'>,
    { PATCH: RouteTypes<Params<M, O>, {}, Partial<UpdateBody<M, O>>, { 200: ResourceWritten<M, O> }> }
  > &
  When<Has<O, 'delete'>, { DELETE: RouteTypes<Params<M, O>, {}, unknown, { 204: undefined }> }>;

type ActionResponses<A> = A extends { response: infer R extends object }
  ? { [K in keyof R]: R[K] extends TSchema ? Static<R[K]> : unknown }
  : { 200: unknown };
type ActionRoute<M, O, A> = RouteTypes<
  A extends { detail: false } ? {} : Params<M, O>,
  {},
  A extends { body: infer B extends TSchema } ? Static<B> : unknown,
  ActionResponses<A>
>;
type MethodOf<A> = A extends { method: infer X extends string } ? X : 'POST';
type Actions<P extends string, M, O> =
  Given<O, 'actions'> extends infer X extends object
    ? UnionToIntersection<
        {
          [N in keyof X & string]: {
            [Q in X[N] extends { detail: false } ? `${P}/${N}` : `${P}/:${LookupKey<M, O>}/${N}`]: {
              [Mt in MethodOf<X[N]>]: ActionRoute<M, O, X[N]>;
            };
          };
        }[keyof X & string]
      >
    : {};
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** The routes of `resource(P, M, O)`, by path and method. */
export type ResourceRoutes<P extends string, M, O> = { [K in P]: Collection<M, O> } & {
  [K in `${P}/:${LookupKey<M, O>}`]: Detail<M, O>;
} & Actions<P, M, O>;
