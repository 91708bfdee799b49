/**
 * Routers group routes under a prefix, with tags and dependencies shared by all of them.
 */
import type { TObject, TSchema } from 'typebox';
import type { Context } from './context.ts';
import type { Dependency, DependencyMap } from './dependencies.ts';
import type { Handler, HttpMethod, ResponseMap, RouteOptions, RouteRecord } from './route.ts';
import type {
  DeclaredRoute,
  JoinPaths,
  PrefixRoutes,
  RouteEntry,
  RouteMark,
  RoutesOf,
} from './route-types.ts';

/**
 * Declares a route for one method. Two forms: `(path, options, handler)` and `(path, handler)`.
 * The handler's context is typed from the options' schemas. Returns the router (`Self`) marked
 * with the route's types (`RouteMark`), so a chain of declarations carries them all to the typed
 * client: `export const api = app.get(…).post(…)`. `Method` is the method it declares and `Prefix`
 * the router's own prefix, which its routes' paths include.
 */
export interface RouteShorthand<
  Self,
  X = {},
  Method extends HttpMethod = HttpMethod,
  Prefix extends string = '',
> {
  <
    const Path extends string,
    P extends TObject | undefined = undefined,
    Q extends TObject | undefined = undefined,
    H extends TObject | undefined = undefined,
    C extends TObject | undefined = undefined,
    B extends TSchema | undefined = undefined,
    R extends ResponseMap | undefined = undefined,
    D extends DependencyMap = {},
    S extends number = never,
  >(
    path: Path,
    options: RouteOptions<P, Q, H, C, B, R, D, S>,
    // NoInfer: the types come from the options. Without it the compiler also tries to infer
    // them backwards through TypeBox's `Static` in the context type, which costs about a
    // million type instantiations per route.
    handler: NoInfer<Handler<Path, P, Q, H, C, B, R, D, X>>,
  ): Self & RouteMark<RouteEntry<JoinPaths<Prefix, Path>, Method, DeclaredRoute<Path, P, Q, B, R, S, D>>>;
  <const Path extends string>(
    path: Path,
    handler: Handler<Path, undefined, undefined, undefined, undefined, undefined, undefined, {}, X>,
  ): Self &
    RouteMark<
      RouteEntry<
        JoinPaths<Prefix, Path>,
        Method,
        DeclaredRoute<Path, undefined, undefined, undefined, undefined, never, {}>
      >
    >;
}

/** Options of a {@link Router}, also accepted by `include()`. */
export interface RouterOptions<Prefix extends string = string> {
  /** A path prefix for every route, e.g. `/api/v1`. */
  prefix?: Prefix;
  /** OpenAPI tags added to every route. */
  tags?: string[];
  /** Dependencies run before every route's handler, for their effect (e.g. a guard). */
  dependencies?: Dependency[];
}

function joinPaths(prefix: string, path: string): string {
  if (!prefix) return path;
  const left = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (path === '/' || path === '') return left || '/';
  return left + (path.startsWith('/') ? path : `/${path}`);
}

function validatePrefix(prefix: string): string {
  if (prefix && !prefix.startsWith('/'))
    throw new Error(`A router prefix must start with "/", got "${prefix}"`);
  return prefix;
}

/**
 * A group of routes. Declare routes on it, then `app.include(router)`. `X` types what the
 * app's installed apps add to the request context (`new Router<ContextOf<[typeof users]>>()`, with `users = auth(…)`).
 *
 * For the typed client, `Prefix` is the router's prefix as a type: inferred from a literal
 * (`new Router({ prefix: '/items' })`); a router typed with an explicit context type gives it as
 * the second type argument (`new Router<Ctx, '/items'>({ prefix: '/items' })`), or it is left ''
 * and the client's paths miss it.
 *
 * @example
 * ```ts
 * const items = new Router({ prefix: '/items', tags: ['items'], dependencies: [requireToken] });
 * items.get('/:id', { params: t.Object({ id: t.Integer() }) }, (ctx) => getItem(ctx.params.id));
 * app.include(items);
 * ```
 */
export class Router<X extends object = {}, Prefix extends string = ''> {
  /** Routes declared on this router and on the routers it includes, with this router's prefix applied. */
  readonly routes: RouteRecord[] = [];
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly dependencies: readonly Dependency[];

  // The second member lets a router typed with an explicit context type (`new Router<Ctx>(…)`,
  // whose `Prefix` is then '') still take any prefix.
  constructor(options: RouterOptions<Prefix> | RouterOptions = {}) {
    this.prefix = validatePrefix(options.prefix ?? '');
    this.tags = options.tags ?? [];
    this.dependencies = options.dependencies ?? [];
  }

  readonly get: RouteShorthand<this, X, 'GET', Prefix> = (path: string, a: unknown, b?: unknown) =>
    this.#declare('GET', path, a, b);
  readonly post: RouteShorthand<this, X, 'POST', Prefix> = (path: string, a: unknown, b?: unknown) =>
    this.#declare('POST', path, a, b);
  readonly put: RouteShorthand<this, X, 'PUT', Prefix> = (path: string, a: unknown, b?: unknown) =>
    this.#declare('PUT', path, a, b);
  readonly patch: RouteShorthand<this, X, 'PATCH', Prefix> = (path: string, a: unknown, b?: unknown) =>
    this.#declare('PATCH', path, a, b);
  readonly delete: RouteShorthand<this, X, 'DELETE', Prefix> = (path: string, a: unknown, b?: unknown) =>
    this.#declare('DELETE', path, a, b);

  /** Declares a route for any method (`HEAD` and `OPTIONS` included). */
  route(
    method: HttpMethod,
    path: string,
    options: RouteOptions<any, any, any, any, any, any, any>,
    handler: (ctx: Context<any, any, any, any, any, any>) => unknown,
  ): this {
    if (!path.startsWith('/')) throw new Error(`A route path must start with "/", got "${path}"`);
    if (typeof handler !== 'function')
      throw new TypeError(`The handler of ${method} ${path} is not a function`);
    this.addRoute({
      method,
      path: joinPaths(this.prefix, path),
      options,
      handler,
      tags: [...this.tags],
      dependencies: [...this.dependencies],
    });
    return this;
  }

  /**
   * Adds the routes of another router, under this router's prefix and with its tags and
   * dependencies (plus those given here). Routes declared on `router` later are not added.
   * Returns this router marked with the included routes' types, under both prefixes, for the
   * typed client.
   */
  include<Included extends Router<any, any>, const IncludePrefix extends string = ''>(
    router: Included,
    options: RouterOptions<IncludePrefix> = {},
  ): this & RouteMark<PrefixRoutes<JoinPaths<Prefix, IncludePrefix>, RoutesOf<Included>>> {
    const prefix = joinPaths(this.prefix, validatePrefix(options.prefix ?? ''));
    for (const route of router.routes) {
      this.addRoute({
        ...route,
        path: joinPaths(prefix, route.path),
        tags: [...this.tags, ...(options.tags ?? []), ...route.tags],
        dependencies: [...this.dependencies, ...(options.dependencies ?? []), ...route.dependencies],
      });
    }
    return this;
  }

  /** Records a route; the app overrides this to register it with the HTTP engine. */
  protected addRoute(route: RouteRecord): void {
    this.routes.push(route);
  }

  // `any`: the shorthands' return types carry the route's types (`RouteMark`), which exist in
  // the types only.
  #declare(method: HttpMethod, path: string, a: unknown, b: unknown): any {
    if (typeof a === 'function') return this.route(method, path, {}, a as RouteRecord['handler']);
    return this.route(method, path, (a ?? {}) as RouteOptions, b as RouteRecord['handler']);
  }
}
