/**
 * Dependencies, like FastAPI's `Depends`: functions of the request context (and of other
 * dependencies) whose results the handler receives, resolved at most once per request.
 */
import type { Static, TObject } from 'typebox';
import type { AnyContext, Context } from './context.ts';
import type { SecurityRequirement } from './route.ts';

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
  /** OpenAPI security requirements of every route using this dependency (an auth guard's schemes). */
  readonly security: SecurityRequirement[] | undefined;
  /** Error responses this dependency can answer with, by status (documented on every route using it). */
  readonly responses: Record<number, string> | undefined;
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
  /** OpenAPI security requirements it adds to each route using it, e.g. `[{ bearerAuth: [] }]`. */
  security?: SecurityRequirement[];
  /** Error responses it can send, documented on each route using it: `{ 401: 'Not authenticated' }`. */
  responses?: Record<number, string>;
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
 * A plain (sync or async) function gives its return value. A resolver that returns a generator
 * (a generator function, also bound or wrapped) gives what the generator yields first, and the
 * code after `yield` (its `finally` block) runs after the response was sent, also when the
 * handler threw. `ctx.onTeardown(fn)` does the same from a plain function. (To hand a generator
 * itself to the handler, return it inside an object: `{ rows: iterate() }`.)
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
  const dep: Dependency<unknown> = {
    [DEPENDENCY]: true,
    name: options.name ?? (resolve.name || 'anonymous'),
    uses: options.uses,
    query: options.query as TObject | undefined,
    headers: options.headers as TObject | undefined,
    cookies: options.cookies as TObject | undefined,
    security: options.security,
    responses: options.responses,
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

/** `dep.uses` as entries, computed once per dependency rather than per request. */
const usedEntries = new WeakMap<Dependency, Array<[string, Dependency]>>();

function entriesOf(dep: Dependency): Array<[string, Dependency]> {
  let entries = usedEntries.get(dep);
  if (!entries) {
    entries = Object.entries(dep.uses ?? {});
    usedEntries.set(dep, entries);
  }
  return entries;
}

/**
 * Resolves named dependencies into `target`, one after another. Stays synchronous while the
 * dependencies are (no promise, no microtask per request); returns a promise from the first
 * asynchronous one on.
 */
export function resolveInto(
  ctx: AnyContext,
  entries: ReadonlyArray<readonly [string, Dependency]>,
  cache: Map<Dependency, unknown>,
  overrides: Overrides,
  target: Record<string, unknown>,
  start = 0,
): Promise<void> | undefined {
  for (let i = start; i < entries.length; i++) {
    const [name, dep] = entries[i]!;
    const value = resolveDependency(ctx, dep, cache, overrides);
    if (value instanceof Promise) {
      return value.then((resolved) => {
        target[name] = resolved;
        return resolveInto(ctx, entries, cache, overrides, target, i + 1);
      });
    }
    target[name] = value;
  }
  return undefined;
}

/**
 * Resolves one dependency for a request, reusing values already resolved for it; returns a
 * promise only when the dependency (or one it uses) is asynchronous. Overrides (for tests)
 * replace a dependency wherever it is used.
 */
export function resolveDependency(
  ctx: AnyContext,
  declared: Dependency,
  cache: Map<Dependency, unknown>,
  overrides: Overrides,
): unknown {
  if (cache.has(declared)) return cache.get(declared);
  const dep = overrides.size > 0 ? (overrides.get(declared) ?? declared) : declared;
  if (!dep.uses) return settle(ctx, dep, declared, dep.resolve(ctx, {}), cache);
  const used: Record<string, unknown> = {};
  const pending = resolveInto(ctx, entriesOf(dep), cache, overrides, used);
  if (pending) return pending.then(() => settle(ctx, dep, declared, dep.resolve(ctx, used), cache));
  return settle(ctx, dep, declared, dep.resolve(ctx, used), cache);
}

/**
 * Whether a resolver returned a generator (sync or async): decided by the value, not by the
 * resolver's kind, since a bound, wrapped or transpiled generator function looks like any other.
 */
function isGenerator(value: unknown): value is Generator<unknown> | AsyncGenerator<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Generator<unknown>>;
  return (
    typeof candidate.next === 'function' &&
    typeof candidate.return === 'function' &&
    typeof candidate.throw === 'function' &&
    (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}

/** Turns what a resolver returned into the dependency's value and caches it. */
function settle(
  ctx: AnyContext,
  dep: Dependency,
  declared: Dependency,
  returned: unknown,
  cache: Map<Dependency, unknown>,
): unknown {
  if (isGenerator(returned)) {
    const generator = returned;
    const first = generator.next();
    const onFirst = (step: IteratorResult<unknown>) => {
      if (step.done) throw new Error(`Dependency "${dep.name}" returned without yielding a value`);
      ctx.onTeardown(async () => {
        await generator.return(undefined);
      });
      cache.set(declared, step.value);
      return step.value;
    };
    return first instanceof Promise ? first.then(onFirst) : onFirst(first);
  }
  if (returned instanceof Promise) {
    return returned.then((value) => {
      cache.set(declared, value);
      return value;
    });
  }
  cache.set(declared, returned);
  return returned;
}
