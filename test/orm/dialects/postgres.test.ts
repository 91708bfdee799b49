/**
 * PostgreSQL specifics: the pool's error listener, type parsing, the pool size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../../src/orm/database.ts';
import { parseInt8 } from '../../../src/orm/dialects/postgres.ts';
import { describePostgres, testDatabase } from '../support.ts';

test('int8 text becomes a number when exact, else a bigint', () => {
  assert.equal(parseInt8('42'), 42);
  assert.equal(parseInt8('-9007199254740991'), -9007199254740991);
  assert.equal(parseInt8('9007199254740993'), 9007199254740993n);
});

describePostgres('postgres', (url) => {
  test("an idle client's error is logged, not fatal", async (t) => {
    const logged: unknown[] = [];
    const db = await connect(url, { logger: { error: (object) => logged.push(object) } });
    t.after(() => db.close());
    await db.all('select 1'); // puts an idle client in the pool
    const pool = (db as unknown as { pool: import('pg').Pool }).pool;
    assert.equal(pool.idleCount, 1);
    // What pg does when the server drops an idle connection: 'error' on the pool.
    pool.emit('error', new Error('terminating connection due to administrator command'));
    assert.equal(logged.length, 1);
    assert.match(String((logged[0] as { err: Error }).err.message), /administrator command/);
    assert.deepEqual(await db.all('select 1 as one'), [{ one: 1 }], 'the pool still serves queries');
  });

  test('a backend killed while idle in the pool does not crash the process', async (t) => {
    const logged: unknown[] = [];
    const db = await connect(url, { logger: { error: (object) => logged.push(object) } });
    t.after(() => db.close());
    const { pid } = (await db.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
    const admin = await connect(url, { max: 1 });
    t.after(() => admin.close());
    await admin.run('select pg_terminate_backend($1)', [pid]);
    for (let i = 0; i < 50 && logged.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(logged.length, 1, 'the idle client error reached the logger');
    assert.deepEqual(await db.all('select 2 as two'), [{ two: 2 }]);
  });

  test('a backend killed inside a transaction fails that transaction only', async (t) => {
    const logged: unknown[] = [];
    const db = await connect(url, { logger: { error: (object) => logged.push(object) } });
    t.after(() => db.close());
    const admin = await connect(url, { max: 1 });
    t.after(() => admin.close());
    await assert.rejects(
      db.transaction(async (tx) => {
        const { pid } = (await tx.get<{ pid: number }>('select pg_backend_pid() as pid'))!;
        await admin.run('select pg_terminate_backend($1)', [pid]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.all('select 1');
      }),
    );
    assert.deepEqual(await db.all('select 3 as three'), [{ three: 3 }]);
  });

  test('int8 → number or bigint, numeric → exact string, timestamptz → Date', async (t) => {
    const db = await testDatabase({ dialect: 'postgres' });
    t.after(() => db.close());
    const row = await db.get(
      "select 7::int8 as small, 9007199254740993::int8 as big, count(*) as n, 12.30::numeric(10,2) as price, '2024-05-06T07:08:09Z'::timestamptz as at from (values (1), (2)) v",
    );
    assert.deepEqual(row, {
      small: 7,
      big: 9007199254740993n,
      n: 2,
      price: '12.30',
      at: new Date('2024-05-06T07:08:09Z'),
    });
    await db.run('create table big (x int8)');
    await db.run('insert into big values ($1), ($2)', [9007199254740993n, 5]);
    assert.deepEqual(await db.all('select x from big order by x'), [{ x: 5 }, { x: 9007199254740993n }]);
  });

  test('the pool size follows the max option', async (t) => {
    const db = await connect(url, { max: 2 });
    t.after(() => db.close());
    const pool = (db as unknown as { pool: import('pg').Pool }).pool;
    assert.equal(pool.options.max, 2);
  });
});
