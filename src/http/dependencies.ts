/**
 * Dependencies, like FastAPI's `Depends`: functions of the request context (and of other
 * dependencies) whose results the handler receives, resolved at most once per request.
 */
import type { Static, TObject } from 'typebox';
import type { Context } from './context.ts';

const DEPENDENCY = Symbol.for('volt.dependency');

/** A map of named dependencies, as given to a route's `deps` or a dependency's `uses`. */
export type DependencyMap = Record<string, Dependency<any>>;

/** The values a map of dependencies resolves to. */
export type DependencyValues<M> = { [K in keyof M]: M[K] extends Dependency<infer T> ? T : never };

/** The value a resolver's return value stands for: generators give what they yield. */
export type ResolvedValue<R> =
  R extends AsyncGenerator<infer Y, any, any> ? Y : R extends Generator<infer Y, any, any> ? Y : Awaited<R>;

type Infer<S, Fallback> = S extends TObject ? Static<S> : Fallback;

/** The context a dependency's resolver receives: the request's context with its own typed parts. */
export type DependencyContext<Q, H, C> = Context<
  Record<string, unknown>,
  Infer<Q, Record<string, unknown>>,
  Infer<H, Record<string, string | string[] | undefined>>,
  Infer<C, Record<string, string | undefined>>,
  unknown,
  Record<string, unknown>
>;

/** A declared dependency. Create one with {@link dependency}. */
export interface Dependency<T = unknown> {
  readonly [DEPENDENCY]: true;
  /** A name for logs and errors. */
  readonly name: string;
  /** The dependencies this one uses, resolved before it. */
  readonly uses: DependencyMap | undefined;
  /** Query parameters this dependency reads; merged into every route that uses it. */
  readonly query: TObject | undefined;
  /** Headers this dependency reads. */
  readonly headers: TObject | undefined;
  /** Cookies this dependency reads. */
  readonly cookies: TObject | undefined;
  /** `generator` resolvers yield once; the code after `yield` runs as teardown. */
  readonly kind: 'function' | 'generator';
  readonly resolve: (ctx: Context<any, any, any, any, any, any>, deps: any) => unknown;
  /** Type-only marker of the value. */
  readonly '~value'?: T;
}

/** Options of {@link dependency}. */
export interface DependencyOptions<U extends DependencyMap, Q, H, C> {
  /** A name for logs and errors; the resolver's name by default. */
  name?: string;
  /** Other dependencies this one needs; their values are the resolver's second argument. */
  uses?: U;
  /** Query parameters this dependency reads, validated and documented on every route using it. */
  query?: Q;
  /** Headers this dependency reads. */
  headers?: H;
  /** Cookies this dependency reads. */
  cookies?: C;
}

// NoInfer on the parameters: Q, H, C and U come from the options (inferring them backwards
// through TypeBox's `Static` is slow); R is inferred from the resolver's return value.
type Resolver<U, Q, H, C, R> = (
  ctx: NoInfer<DependencyContext<Q, H, C>>,
  deps: NoInfer<DependencyValues<U>>,
) => R;

/**
 * Declares a dependency.
 *
 * A plain (sync or async) function gives its return value. A generator function gives what it
 * yields, and the code after `yield` (its `finally` block) runs after the response was sent,
 * also when the handler threw. `ctx.onTeardown(fn)` does the same from a plain function.
 *
 * @example
 * ```ts
 * const pagination = dependency(
 *   { query: t.Object({ limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }) }) },
 *   (ctx) => ({ limit: ctx.query.limit }),
 * );
 * const db = dependency(async function* () {
 *   const conn = await pool.connect();
 *   try { yield conn; } finally { conn.release(); }
 * });
 * app.get('/items', { deps: { page: pagination, db } }, (ctx) => ctx.deps.db.list(ctx.deps.page));
 * ```
 */
export function dependency<R>(
  resolve: Resolver<{}, undefined, undefined, undefined, R>,
): Dependency<ResolvedValue<R>>;
export function dependency<
  R,
  U extends DependencyMap = {},
  Q extends TObject | undefined = undefined,
  H extends TObject | undefined = undefined,
  C extends TObject | undefined = undefined,
>(options: DependencyOptions<U, Q, H, C>, resolve: Resolver<U, Q, H, C, R>): Dependency<ResolvedValue<R>>;
export function dependency(
  optionsOrResolve:
    | DependencyOptions<DependencyMap, unknown, unknown, unknown>
    | ((...args: any[]) => unknown),
  maybeResolve?: (...args: any[]) => unknown,
): Dependency<unknown> {
  const options = typeof optionsOrResolve === 'function' ? {} : optionsOrResolve;
  const resolve = typeof optionsOrResolve === 'function' ? optionsOrResolve : maybeResolve;
  if (typeof resolve !== 'function') throw new TypeError('dependency() needs a resolver function');
  const ctorName = resolve.constructor?.name;
  const dep: Dependency<unknown> = {
    [DEPENDENCY]: true,
    name: options.name ?? (resolve.name || 'anonymous'),
    uses: options.uses,
    query: options.query as TObject | undefined,
    headers: options.headers as TObject | undefined,
    cookies: options.cookies as TObject | undefined,
    kind:
      ctorName === 'AsyncGeneratorFunction' || ctorName === 'GeneratorFunction' ? 'generator' : 'function',
    resolve,
  };
  return Object.freeze(dep);
}

/** Tells whether a value is a dependency made by {@link dependency}. */
export function isDependency(value: unknown): value is Dependency {
  return typeof value === 'object' && value !== null && DEPENDENCY in value;
}

/**
 * Lists a set of dependencies and everything they use, each once, in the order they must be
 * resolved (a used dependency before its user). Runs at startup; throws on a cycle.
 */
export function flattenDependencies(roots: Iterable<Dependency>): Dependency[] {
  const order: Dependency[] = [];
  const state = new Map<Dependency, 'visiting' | 'done'>();
  const visit = (dep: Dependency, path: string[]) => {
    if (!isDependency(dep))
      throw new TypeError(`Not a dependency: ${String(dep)}; create it with dependency()`);
    const seen = state.get(dep);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`Dependency cycle: ${[...path, dep.name].join(' → ')}`);
    state.set(dep, 'visiting');
    for (const used of Object.values(dep.uses ?? {})) visit(used, [...path, dep.name]);
    state.set(dep, 'done');
    order.push(dep);
  };
  for (const dep of roots) visit(dep, []);
  return order;
}

type Overrides = ReadonlyMap<Dependency, Dependency>;

/**
 * Resolves one dependency for a request, reusing values already resolved for it.
 * Overrides (for tests) replace a dependency wherever it is used.
 */
export async function resolveDependency(
  ctx: Context<any, any, any, any, any, any>,
  declared: Dependency,
  cache: Map<Dependency, unknown>,
  overrides: Overrides,
): Promise<unknown> {
  if (cache.has(declared)) return cache.get(declared);
  const dep = overrides.size > 0 ? (overrides.get(declared) ?? declared) : declared;
  let usedValues: Record<string, unknown> = {};
  if (dep.uses) {
    usedValues = {};
    for (const key in dep.uses)
      usedValues[key] = await resolveDependency(ctx, dep.uses[key]!, cache, overrides);
  }
  let value: unknown = dep.resolve(ctx, usedValues);
  if (dep.kind === 'generator') {
    const generator = value as AsyncGenerator<unknown> | Generator<unknown>;
    const first = await generator.next();
    if (first.done) throw new Error(`Dependency "${dep.name}" returned without yielding a value`);
    ctx.onTeardown(async () => {
      await generator.return(undefined);
    });
    value = first.value;
  } else if (value instanceof Promise) {
    value = await value;
  }
  cache.set(declared, value);
  return value;
}
