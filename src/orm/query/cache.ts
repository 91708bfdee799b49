/**
 * The compiled-SQL cache: Kysely builds and compiles a query the first time its shape is seen
 * (a shape is everything but the values); later queries of that shape reuse the SQL text and
 * only gather their parameters.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CompiledQuery } from 'kysely';
import type { AnyModel } from '../model.ts';

const MAX_SHAPES = 500;
// Per model: a shape names columns, and the same names can mean other types in another model.
const caches = new WeakMap<AnyModel, Map<string, string>>();

/** What a query runs: its SQL and parameters. */
export interface Compiled {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * The SQL of the query shaped `shape` with `params`. `build` runs only on a miss; its compiled
 * parameters must equal `params` for the SQL to be kept (so a shape whose parameters were
 * gathered in another order is compiled every time, never run with misplaced values).
 *
 * @example
 * ```ts
 * const { sql, parameters } = compiled(Book, 'sqlite|select|…', [3], () => builder.compile());
 * ```
 */
export function compiled(
  model: AnyModel,
  shape: string,
  params: readonly unknown[],
  build: () => CompiledQuery,
): Compiled {
  let cache = caches.get(model);
  if (!cache) {
    cache = new Map();
    caches.set(model, cache);
  }
  const text = cache.get(shape);
  if (text !== undefined) return { sql: text, parameters: params };
  const query = build();
  if (isDeepStrictEqual([...query.parameters], [...params])) {
    if (cache.size >= MAX_SHAPES) cache.delete(cache.keys().next().value!);
    cache.set(shape, query.sql);
  }
  return { sql: query.sql, parameters: query.parameters };
}

/** How many shapes are cached (for tests and diagnostics). */
export function cachedShapes(model: AnyModel): number {
  return caches.get(model)?.size ?? 0;
}
