/**
 * Helpers shared by the ORM's database tests.
 */
import { describe, test } from 'node:test';
import type { Database, DialectName } from '../../src/orm/database.ts';
import { testPostgresUrl } from '../../src/testing/database.ts';

export { forEachDialect, testDatabase } from '../../src/testing/database.ts';

/** The auto-incrementing integer primary key column type of a dialect. */
export function serialKey(dialect: DialectName): string {
  return dialect === 'sqlite' ? 'integer primary key autoincrement' : 'serial primary key';
}

/** The n-th (1-based) placeholder of a dialect: `?` or `$n`. */
export function ph(db: Database, n: number): string {
  return db.dialect === 'sqlite' ? '?' : `$${n}`;
}

/** `count(*)` of a table, as a number on both dialects. */
export async function count(db: Database, table: string): Promise<number> {
  const row = await db.get<{ n: number | bigint }>(`select count(*) as n from ${db.quoteIdentifier(table)}`);
  return Number(row?.n);
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A suite that needs PostgreSQL: skipped with a visible message when `VOLT_TEST_POSTGRES` is not
 * set, failing instead in CI.
 */
export function describePostgres(name: string, body: (url: string) => void): void {
  const url = testPostgresUrl();
  if (url) {
    describe(name, () => body(url));
  } else if (process.env.CI === 'true') {
    test(name, () => {
      throw new Error('PostgreSQL: VOLT_TEST_POSTGRES is not set; CI must run the PostgreSQL tests');
    });
  } else {
    test(name, (t) => t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set'));
  }
}
