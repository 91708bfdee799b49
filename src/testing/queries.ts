/**
 * `countQueries(db)`: a `Database` that records the SQL it runs, so a test can assert that a
 * page of rows costs a fixed number of queries (no N+1).
 */
import type { Database } from '../orm/database.ts';

/** A counting view of a database: run queries through `db`, then read `count` and `sql`. */
export interface QueryCounter {
  /** The database to query through (transactions opened on it are counted too). */
  readonly db: Database;
  /** How many statements ran since the counter was made or reset. */
  readonly count: number;
  /** Their SQL, in order. */
  readonly sql: readonly string[];
  /** Forgets the statements counted so far. */
  reset(): void;
}

/**
 * Wraps `db` so every `all`, `arrays`, `get` and `run` is recorded.
 *
 * @example
 * ```ts
 * const counter = countQueries(db);
 * await query(counter.db, Book).selectRelated('author').all();
 * assert.equal(counter.count, 1);
 * ```
 */
export function countQueries(db: Database): QueryCounter {
  const seen: string[] = [];
  const wrap = (inner: Database): Database => ({
    get dialect() {
      return inner.dialect;
    },
    get ops() {
      return inner.ops;
    },
    get kysely() {
      return inner.kysely;
    },
    get inTransaction() {
      return inner.inTransaction;
    },
    get timeZone() {
      return inner.timeZone;
    },
    get observers() {
      return inner.observers;
    },
    all: (text, params) => {
      seen.push(text);
      return inner.all(text, params);
    },
    arrays: (text, params) => {
      seen.push(text);
      return inner.arrays(text, params);
    },
    get: (text, params) => {
      seen.push(text);
      return inner.get(text, params);
    },
    run: (text, params) => {
      seen.push(text);
      return inner.run(text, params);
    },
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
    withSignal: (signal) => wrap(inner.withSignal(signal)),
    withTimeZone: (timeZone) => wrap(inner.withTimeZone(timeZone)),
    quoteIdentifier: (name) => inner.quoteIdentifier(name),
    close: () => inner.close(),
    [Symbol.asyncDispose]: () => inner[Symbol.asyncDispose](),
  });
  return {
    db: wrap(db),
    get count() {
      return seen.length;
    },
    get sql() {
      return [...seen];
    },
    reset() {
      seen.length = 0;
    },
  };
}
