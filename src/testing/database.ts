/**
 * Isolated databases for tests: `testDatabase()` and `forEachDialect()`, for every dialect of
 * the ORM's list (`src/orm/dialects/registry.ts`), each making its own (its descriptor's
 * `testDatabase`).
 */
import { describe, test } from 'node:test';
import type { ConnectOptions, Database, DialectName } from '../orm/database.ts';
import { DIALECTS, dialectNamed } from '../orm/dialects/registry.ts';

export { testPostgresUrl } from '../orm/dialects/postgres/dialect.ts';

/** Options of `testDatabase()`; the rest are passed to `connect()`. */
export interface TestDatabaseOptions extends ConnectOptions {
  /** `'sqlite'` (default, in memory) or `'postgres'` (needs `VOLT_TEST_POSTGRES`). */
  dialect?: DialectName;
  /** PostgreSQL server URL (default: env `VOLT_TEST_POSTGRES`). */
  url?: string;
}

/**
 * A fresh database for one test. SQLite: a new `:memory:` database. PostgreSQL: a new schema
 * `volt_test_<random>` on `VOLT_TEST_POSTGRES`, made the `search_path` of every pooled
 * connection, and dropped (CASCADE) by `close()`. Close it in `after`/`t.after`, or use
 * `await using`.
 *
 * @example
 * ```ts
 * test('stores a row', async (t) => {
 *   const db = await testDatabase();
 *   t.after(() => db.close());
 *   await db.run('create table t (x int)');
 * });
 * ```
 */
export async function testDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const { dialect = 'sqlite', url, ...connectOptions } = options;
  return dialectNamed(dialect).testDatabase.open(url, connectOptions);
}

/** Opens a `testDatabase()` of one dialect. */
export type OpenTestDatabase = (options?: ConnectOptions) => Promise<Database>;

/**
 * Declares a suite once per dialect: `describe('sqlite', …)` and `describe('postgres', …)`.
 * Without `VOLT_TEST_POSTGRES` the PostgreSQL suite is a visibly skipped test
 * (`# SKIP PostgreSQL: VOLT_TEST_POSTGRES is not set`); with `CI=true` it is a failing one,
 * so CI never passes without having run against PostgreSQL.
 *
 * @example
 * ```ts
 * forEachDialect((dialect, open) => {
 *   test('inserts', async (t) => {
 *     const db = await open();
 *     t.after(() => db.close());
 *     // …
 *   });
 * });
 * ```
 */
export function forEachDialect(body: (dialect: DialectName, open: OpenTestDatabase) => void): void {
  for (const { name, title, testDatabase: tests } of DIALECTS) {
    const missing = tests.unavailable();
    if (missing === undefined) {
      describe(name, () => body(name, (options) => testDatabase({ ...options, dialect: name })));
    } else if (process.env.CI === 'true') {
      test(name, () => {
        throw new Error(`${missing}; CI must run the ${title} tests (.ci/run sets it)`);
      });
    } else {
      test(name, (t) => t.skip(missing));
    }
  }
}
