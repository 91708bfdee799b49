/**
 * Route declarations and their types: what a route says about its inputs and outputs,
 * and how the handler's context is typed from it.
 */

import type { Static, TObject, TSchema } from 'typebox';
import type { VoltApp } from './app.ts';
import type { Context } from './context.ts';
import type { Dependency, DependencyMap, DependencyValues } from './dependencies.ts';
import type { Html } from './html.ts';
import type { StreamBody } from './streaming.ts';

/** HTTP methods a route can answer. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Response schemas by status code. */
export type ResponseMap = { [status: number]: TSchema };

/** An OpenAPI security requirement, e.g. `{ bearerAuth: [] }`. */
export type SecurityRequirement = Record<string, string[]>;

/** Documentation of a route in the OpenAPI document. */
export interface RouteDocs {
  /** A short summary shown next to the path in the docs. */
  summary?: string;
  /** A longer description (CommonMark). */
  description?: string;
  /** Groups in the docs; added to the tags of the router. */
  tags?: string[];
  /** A unique id for clients; derived from the method and path when absent. */
  operationId?: string;
  /** Marks the route as deprecated in the docs. */
  deprecated?: boolean;
  /** Security requirements of this route. */
  security?: SecurityRequirement[];
  /** Descriptions of the responses by status code. */
  responseDescriptions?: Record<number, string>;
  /** Leave the route out of the OpenAPI document. */
  hidden?: boolean;
  /**
   * Media types the body is accepted and documented in, `['application/json']` by default; a
   * body of any other type is a 415. List `application/x-www-form-urlencoded` where clients send
   * forms (an OAuth2 token endpoint, an HTML form's target), `text/plain` for text.
   *
   * @example
   * ```ts
   * app.post('/subscribe', { bodyTypes: ['application/x-www-form-urlencoded', 'application/json'], body: Form }, handler);
   * ```
   */
  bodyTypes?: readonly string[];
}

/** Everything a route can declare. Each schema types the matching part of the context. */
export interface RouteOptions<
  P extends TObject | undefined = undefined,
  Q extends TObject | undefined = undefined,
  H extends TObject | undefined = undefined,
  C extends TObject | undefined = undefined,
  B extends TSchema | undefined = undefined,
  R extends ResponseMap | undefined = undefined,
  D extends DependencyMap = {},
  S extends number = number,
> extends RouteDocs {
  /** Path parameters; text converts to the declared types in canonical form only (`3`, not `3.0`). */
  params?: P;
  /** Query parameters; text converts to the declared types in canonical form only, repeated keys to arrays. */
  query?: Q;
  /** Request headers (declare names in lower case). */
  headers?: H;
  /** Request cookies. */
  cookies?: C;
  /** The body: JSON, unless `bodyTypes` say otherwise. */
  body?: B;
  /** Response schemas by status code. A response is serialized through its schema: undeclared properties are dropped. */
  response?: R;
  /** Named dependencies; their values are on `ctx.deps`. */
  deps?: D;
  /** Dependencies run for their effect (a guard, an audit), before the handler. */
  dependencies?: Dependency[];
  /** Status code of a successful response; 200 by default. */
  status?: S;
  /**
   * The media type of the success response when it is not JSON (`'text/plain'`, `'text/csv'`,
   * `'text/html'`): sent as its Content-Type unless the handler set one (`text/*` with
   * `charset=utf-8`), used by `ctx.stream()` when it names none, and documented.
   */
  contentType?: string;
  /**
   * For a route that answers with `ctx.sse()`: the schema of each event's data, documented as a
   * `text/event-stream` response. (`contentType: 'text/event-stream'` documents the stream
   * with string data.)
   */
  events?: TSchema;
  /** Largest accepted body in bytes for this route; the app's `bodyLimit` by default. */
  bodyLimit?: number;
}

/**
 * The path parameters of a path string, for routes without a `params` schema:
 * `PathParams<'/users/:id/posts/:postId'>` is `{ id: string; postId: string }`, `/:id?` gives an
 * optional `id`, a final `*` gives `'*'`, and a path without parameters gives `{}`.
 */
export type PathParams<Path extends string> = Simplify<
  { [K in Exclude<ParamNames<Path>, `${string}?`>]: string } & {
    [K in Extract<ParamNames<Path>, `${string}?`> as K extends `${infer Name}?` ? Name : never]?: string;
  } & (Path extends `${string}*` ? { '*': string } : {})
>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Every `:name` of a path (`::` is an escaped colon); optional ones keep their `?`. */
type ParamNames<Path extends string> = Path extends `${string}:${infer Rest}`
  ? Rest extends `:${infer Escaped}`
    ? ParamNames<Escaped>
    : ParamName<Rest> | ParamNames<Rest>
  : never;

/** A parameter's name ends at `/`, `-`, `.` or a `(regex)`, as in find-my-way. */
type ParamName<S extends string> = S extends `${infer Name}/${string}`
  ? ParamName<Name>
  : S extends `${infer Name}-${string}`
    ? ParamName<Name>
    : S extends `${infer Name}.${string}`
      ? ParamName<Name>
      : S extends `${infer Name}(${string}`
        ? Name
        : S;

type Infer<S, Fallback> = S extends TSchema ? Static<S> : Fallback;

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206;

/** What a handler may return for the route's declared responses. */
export type HandlerResult<R> = R extends ResponseMap
  ? [Extract<keyof R, SuccessStatus>] extends [never]
    ? unknown
    :
        | Static<R[Extract<keyof R, SuccessStatus>]>
        | StreamBody
        | (Static<R[Extract<keyof R, SuccessStatus>]> extends string ? Html : never)
        | undefined
  : unknown;

/** The context type of a route's handler. */
export type RouteContext<Path extends string, P, Q, H, C, B, D> = Context<
  Infer<P, PathParams<Path>>,
  Infer<Q, Record<string, string | string[] | undefined>>,
  Infer<H, Record<string, string | string[] | undefined>>,
  Infer<C, Record<string, string | undefined>>,
  Infer<B, unknown>,
  DependencyValues<D>
>;

/**
 * A route handler. `X` is what the app's installed apps add to the context (`ctx.user` with
 * auth installed).
 */
export type Handler<Path extends string, P, Q, H, C, B, R, D, X = {}> = (
  ctx: RouteContext<Path, P, Q, H, C, B, D> & X,
) => HandlerResult<R> | Promise<HandlerResult<R>>;

/** A route as recorded by the app: the input to Fastify, the OpenAPI document and `volt routes`. */
export interface RouteRecord {
  method: HttpMethod;
  /** The full path, with prefixes, in Volt's `:param` syntax. */
  path: string;
  options: RouteOptions<any, any, any, any, any, any, any>;
  handler: (ctx: Context<any, any, any, any, any, any>) => unknown;
  /** Tags inherited from routers. */
  tags: string[];
  /** Effect-only dependencies inherited from the app and routers, outermost first. */
  dependencies: Dependency[];
  /**
   * Called when the route is added to an app, before it is compiled: a route made by a library
   * (a model resource) reads the app's settings there, or adds a startup check.
   */
  attach?: (app: VoltApp<any>) => void;
}
