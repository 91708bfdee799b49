/**
 * A seeded fuzz run of the examples' OpenAPI documents: for every operation of the hello and
 * library examples (the library on SQLite here, on PostgreSQL in `fuzz-postgres.test.ts`;
 * writing as a superuser so requests reach validation), requests that each carry one invalid
 * value — numbers that change or overflow, NUL, bytes that are not UTF-8, lone surrogates, a
 * media type the route does not take — must all be answered with a 4xx: never a 5xx, never a
 * success.
 *
 * The seed is printed; `VOLT_FUZZ_SEED=<n>` repeats a run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connect } from 'voltjs/orm';
import { fuzz, library, report, SEED } from './fuzz-support.ts';

process.env.VOLT_ENV = 'test';

describe(`seeded fuzz run (seed ${SEED})`, () => {
  test('hello: every mutated request is a 4xx; raw bytes reach the parser unchanged', async (t) => {
    const { app } = await import('../../examples/hello/app.ts');
    const json = { 'content-type': 'application/json' };
    // The control: the in-process client passes a Buffer through byte for byte, so a 400 for
    // invalid bytes is the parser's verdict on exactly those bytes.
    const valid = await app.fastify.inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: Buffer.from('{"name":"caf\u00e9","price":1}'),
    });
    assert.equal(valid.json().name, 'café');
    const latin1 = await app.fastify.inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: Buffer.from('{"name":"caf\u00e9","price":1}', 'latin1'),
    });
    assert.equal(latin1.statusCode, 400);
    report(t, 'hello', await fuzz(app, SEED, 16));
  });

  test('library on SQLite, as a superuser: every mutated request is a 4xx', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'volt-fuzz-'));
    const url = `sqlite:${join(dir, 'library.db')}`;
    const db = await connect(url);
    const { app, authorization } = await library(url, db);
    after(async () => {
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    report(t, 'library (sqlite)', await fuzz(app, SEED + 1, 8, authorization));
  });
});
