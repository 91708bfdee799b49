/**
 * The seeded fuzz run of `fuzz.test.ts` against the library example on PostgreSQL (which refuses
 * NUL in text, where SQLite stores it): every mutated request is a 4xx. A file of its own, since
 * the library app defines its policies when imported and one process holds one of it.
 */
import { after, test } from 'node:test';
import { testDatabase, testPostgresUrl } from 'voltjs/testing';
import { fuzz, library, report, SEED } from './fuzz-support.ts';

test(`library on PostgreSQL, as a superuser: every mutated request is a 4xx (seed ${SEED})`, async (t) => {
  const server = testPostgresUrl();
  if (!server) {
    if (process.env.CI === 'true') throw new Error('PostgreSQL: VOLT_TEST_POSTGRES is not set');
    t.skip('PostgreSQL: VOLT_TEST_POSTGRES is not set');
    return;
  }
  const db = await testDatabase({ dialect: 'postgres' });
  const schema = (await db.get<{ schema: string }>('select current_schema() as schema'))!.schema;
  // The app opens its own pool from DATABASE_URL: the test schema is its search_path too.
  const options = encodeURIComponent(`-c search_path=${schema}`);
  const url = `${server}${server.includes('?') ? '&' : '?'}options=${options}`;
  const { app, authorization } = await library(url, db);
  after(async () => {
    await app.close();
    await db.close();
  });
  report(t, 'library (postgres)', await fuzz(app, SEED + 2, 8, authorization));
});
