/**
 * The types of the routes a router or an app declared, as the typed client (`voltjs/client`)
 * reads them. Type-only: nothing here exists at run time.
 *
 * Each route shorthand (`get`, `post`, …) returns its receiver intersected with a
 * {@link RouteMark} of the route it declared, so a chain accumulates them:
 * `app.get('/a', …).post('/b', …)` is `VoltApp & RouteMark<A> & RouteMark<B>`, whose `~routes`
 * is `A & B`. A route's types are computed only when the client reads them: {@link DeclaredRoute}
 * keeps the schemas, and TypeScript resolves an interface's base type lazily, so declaring a
 * route costs the compiler no `Static` of its schemas.
 */
import type { Static, TObject, TSchema } from 'typebox';
import type { HttpMethod, PathParams } from './route.ts';

/**
 * The types of one route, as the typed client reads them.
 *
 * @example
 * ```ts
 * type GetItem = RoutesOf<typeof api>['/items/:id']['GET'];
 * type Item = GetItem['responses'][200];
 * ```
 */
export interface RouteTypes<Params = unknown, Query = unknown, Body = unknown, Responses = {}> {
  /** The path parameters the client substitutes: the params schema's type, else the path's names. */
  params: Params;
  /** The query the client may send: the query schema's properties, each optional (the server fills defaults). */
  query: Query;
  /** The body the client sends: the body schema's type (`unknown` without one). */
  body: Body;
  /** The data of each status, `{ 200: T, 201: U, 204: undefined, 404: … }`: the `response` map and the route's `status`. */
  responses: Responses;
}

/**
 * Marks a router or app with the routes it declared. Type-only: the property is never set.
 *
 * @example
 * ```ts
 * const api = app.get('/health', () => 'ok'); // VoltApp & RouteMark<{ '/health': { GET: … } }>
 * ```
 */
export interface RouteMark<R> {
  /** The declared routes, by path and method. Never set at run time. */
  readonly '~routes'?: R;
}

/**
 * The routes a router or app declared (its `~routes`), by path then method, for `createClient`.
 * A type without marks has none (`{}`).
 *
 * @example
 * ```ts
 * export const api = app.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, getItem);
 * type Routes = RoutesOf<typeof api>; // { '/items/:id': { GET: RouteTypes<{ id: number }, …> } }
 * ```
 */
export type RoutesOf<T> = '~routes' extends keyof T ? NonNullable<T['~routes' & keyof T]> : {};

/**
 * A path under a prefix, joined as the routers join them at run time: a trailing `/` of the prefix
 * is dropped, and the path `/` is the prefix itself.
 *
 * @example
 * ```ts
 * type P = JoinPaths<'/api/', '/items'>; // '/api/items'
 * ```
 */
export type JoinPaths<Prefix extends string, Path extends string> = Prefix extends ''
  ? Path
  : JoinTrimmed<Prefix extends `${infer Left}/` ? Left : Prefix, Path>;

type JoinTrimmed<Left extends string, Path extends string> = Path extends '/' | ''
  ? Left extends ''
    ? '/'
    : Left
  : Path extends `/${string}`
    ? `${Left}${Path}`
    : `${Left}/${Path}`;

/** One route, by path and method: the shape `~routes` accumulates. */
export type RouteEntry<Path extends string, Method extends HttpMethod, Route> = {
  [P in Path]: { [M in Method]: Route };
};

/**
 * The routes of a router under a prefix, as `include(router, { prefix })` adds them.
 *
 * @example
 * ```ts
 * type R = PrefixRoutes<'/api', { '/items': { GET: … } }>; // { '/api/items': { GET: … } }
 * ```
 */
export type PrefixRoutes<Prefix extends string, Routes> = Prefix extends ''
  ? Routes
  : { [P in keyof Routes as P extends string ? JoinPaths<Prefix, P> : never]: Routes[P] };

/**
 * The types of one declared route, from its path, schemas (`P` params, `Q` query, `B` body),
 * response map `R`, `status` `S` (`never` when not given) and named dependencies `D`. An
 * interface, so its base type (and each `Static` in it) is computed only when the client reads it.
 */
export interface DeclaredRoute<Path extends string, P, Q, B, R, S, D>
  extends RouteTypes<ParamsOf<Path, P>, QueryOf<Q, D>, BodyOf<B>, ResponsesOf<R, S>> {}

/** A value the client can put in a query string or a path. */
export type QueryValue = string | number | boolean;

/** The query of a route without a query schema: any key. */
export type LooseQuery = { [key: string]: QueryValue | readonly QueryValue[] | undefined };

type ParamsOf<Path extends string, P> = P extends TObject
  ? Static<P>
  : { [K in keyof PathParams<Path>]: PathParams<Path>[K] | number };

// Every key optional: TypeBox keeps a property's `default` out of its type, and a query parameter
// with a default is the common case (`limit`, `page`). A dependency in `deps` may read query
// parameters of its own, which the route's type does not carry: such a route takes any other key.
type QueryOf<Q, D> = Q extends TObject
  ? { [K in keyof Static<Q>]?: Static<Q>[K] | undefined } & ({} extends D ? {} : LooseQuery)
  : LooseQuery;

type BodyOf<B> = B extends TSchema ? Static<B> : unknown;

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;

type DeclaredResponses<R> = R extends object
  ? { [K in keyof R]: R[K] extends TSchema ? Static<R[K]> : unknown }
  : {};

// The success status a route answers when its response map does not name it: the `status`
// option, or a handler's own 200 (204 when it returns nothing) for a route declaring no success.
type ImplicitSuccess<R, S> = [S] extends [never]
  ? [Extract<keyof DeclaredResponses<R>, SuccessStatus>] extends [never]
    ? { 200: unknown; 204: undefined }
    : {}
  : S extends keyof DeclaredResponses<R>
    ? {}
    : { [K in S & number]: K extends 204 ? undefined : unknown };

type ResponsesOf<R, S> = DeclaredResponses<R> & ImplicitSuccess<R, S>;
