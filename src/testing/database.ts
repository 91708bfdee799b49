/**
 * Isolated databases for tests: `testDatabase()` and `forEachDialect()`.
 */
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { type ConnectOptions, connect, type Database, type DialectName } from '../orm/database.ts';

/** Options of `testDatabase()`; the rest are passed to `connect()`. */
export interface TestDatabaseOptions extends ConnectOptions {
  /** `'sqlite'` (default, in memory) or `'postgres'` (needs `VOLT_TEST_POSTGRES`). */
  dialect?: DialectName;
  /** PostgreSQL server URL (default: env `VOLT_TEST_POSTGRES`). */
  url?: string;
}

const POSTGRES_MISSING = 'PostgreSQL: VOLT_TEST_POSTGRES is not set';

/** The PostgreSQL URL tests use, or `undefined` when PostgreSQL tests cannot run here. */
export function testPostgresUrl(): string | undefined {
  return process.env.VOLT_TEST_POSTGRES || undefined;
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
  return TEST_DATABASES[dialect].open(url, connectOptions);
}

/** How each dialect's test database opens, and whether this environment has one. */
const TEST_DATABASES: Record<
  DialectName,
  { available(): boolean; open(url: string | undefined, options: ConnectOptions): Promise<Database> }
> = {
  sqlite: { available: () => true, open: (_url, options) => connect('sqlite::memory:', options) },
  postgres: { available: () => testPostgresUrl() !== undefined, open: openPostgresSchema },
};

/** A PostgreSQL database in a fresh schema of `url` (or `VOLT_TEST_POSTGRES`), dropped on close. */
async function openPostgresSchema(
  url: string | undefined,
  connectOptions: ConnectOptions,
): Promise<Database> {
  const server = url ?? testPostgresUrl();
  if (!server) throw new Error(`${POSTGRES_MISSING} (e.g. postgres://postgres@127.0.0.1:5432/test)`);
  const schema = `volt_test_${randomBytes(6).toString('hex')}`;
  const admin = await connect(server, { ...connectOptions, max: 1 });
  try {
    await admin.run(`create schema ${schema}`);
  } finally {
    await admin.close();
  }
  const db = await connect(server, { ...connectOptions, searchPath: schema });
  const close = db.close.bind(db);
  let closing: Promise<void> | undefined;
  db.close = () => {
    closing ??= (async () => {
      try {
        await db.run(`drop schema if exists ${schema} cascade`);
      } finally {
        await close();
      }
    })();
    return closing;
  };
  return db;
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
  for (const dialect of ['sqlite', 'postgres'] as const) {
    if (!TEST_DATABASES[dialect].available()) {
      if (process.env.CI === 'true') {
        test('postgres', () => {
          throw new Error(`${POSTGRES_MISSING}; CI must run the PostgreSQL tests (.ci/run sets it)`);
        });
      } else {
        test('postgres', (t) => t.skip(POSTGRES_MISSING));
      }
      continue;
    }
    describe(dialect, () => body(dialect, (options) => testDatabase({ ...options, dialect })));
  }
}
