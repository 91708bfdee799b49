/**
 * `Clause`: a condition's SQL as the compiled-SQL cache needs it — a shape, its parameters, and
 * the Kysely expression built only when the query's SQL is not cached yet — and `combine()` /
 * `negate()` to join clauses.
 */
import { type Expression, type SqlBool, sql } from 'kysely';

/**
 * A condition's SQL with what the compiled-SQL cache needs: its `shape` (the same for every
 * condition compiling to the same SQL text) and its parameters in the order they appear.
 */
export interface Clause {
  /** Built on first use: only a query whose SQL is not cached yet compiles it. */
  readonly expression: Expression<SqlBool>;
  readonly shape: string;
  readonly params: readonly unknown[];
  /** `true` when at most one row can match: an `=` on the primary key or a unique column. */
  readonly unique?: boolean;
}

/** A clause whose expression is built (by Kysely) only when the query's SQL must be compiled. */
export function lazyClause(
  shape: string,
  params: readonly unknown[],
  build: () => Expression<SqlBool>,
  unique = false,
): Clause {
  return new LazyClause(shape, params, build, unique);
}

class LazyClause implements Clause {
  readonly shape: string;
  readonly params: readonly unknown[];
  readonly unique: boolean;
  #build: (() => Expression<SqlBool>) | undefined;
  #built: Expression<SqlBool> | undefined;

  constructor(shape: string, params: readonly unknown[], build: () => Expression<SqlBool>, unique: boolean) {
    this.shape = shape;
    this.params = params;
    this.unique = unique;
    this.#build = build;
  }

  get expression(): Expression<SqlBool> {
    if (this.#build) {
      this.#built = this.#build();
      this.#build = undefined;
    }
    return this.#built!;
  }
}

/** Clauses joined by `and` / `or` (`1 = 1` for none). */
export function combine(parts: readonly Clause[], operator: 'and' | 'or'): Clause {
  if (parts.length === 0) return lazyClause('true', [], () => sql<SqlBool>`1 = 1`);
  if (parts.length === 1) return parts[0]!;
  return lazyClause(
    `(${parts.map((p) => p.shape).join(` ${operator} `)})`,
    parts.flatMap((p) => p.params),
    () =>
      sql<SqlBool>`(${sql.join(
        parts.map((p) => p.expression),
        sql.raw(` ${operator} `),
      )})`,
    operator === 'and' && parts.some((p) => p.unique),
  );
}

/** `not (…)`. */
export function negate(clause: Clause): Clause {
  return lazyClause(`not (${clause.shape})`, clause.params, () => sql<SqlBool>`not (${clause.expression})`);
}
