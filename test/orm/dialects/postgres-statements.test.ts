/**
 * PostgreSQL's named prepared statements: prepared once per connection, bounded, dropped and
 * prepared afresh when the tables change shape (here or in another process), off with
 * `statementCacheSize: 0`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { connect } from '../../../src/orm/database.ts';
import { DatabaseError } from '../../../src/orm/errors.ts';
import { testDatabase } from '../../../src/testing/database.ts';
import { describePostgres } from '../support.ts';

/** The statements prepared on the connection the query runs on. */
const PREPARED = 'select statement from pg_prepared_statements order by prepare_time, name';

describePostgres('postgres prepared statements', (url) => {
  test('a statement with parameters is prepared once per connection and reused', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    await db.run('create table notes (id int primary key, title text)');
    const insert = 'insert into notes (id, title) values ($1, $2)';
    for (let i = 1; i <= 5; i++) await db.run(insert, [i, `note ${i}`]);
    const select = 'select title from notes where id = $1';
    assert.deepEqual(await db.get(select, [3]), { title: 'note 3' });
    assert.deepEqual(await db.get(select, [4]), { title: 'note 4' });
    const prepared = (await db.all<{ statement: string }>(PREPARED)).map((row) => row.statement);
    assert.equal(prepared.filter((s) => s === insert).length, 1, 'the insert is prepared once');
    assert.equal(prepared.filter((s) => s === select).length, 1, 'the select is prepared once');
    assert.ok(!prepared.some((s) => /create table/i.test(s)), 'DDL is never prepared');
  });

  test('each connection keeps at most statementCacheSize statements, the least recently used dropped', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 1, statementCacheSize: 3 });
    t.after(() => db.close());
    await db.get('select $1::int as a', [1]);
    await db.get('select $1::int as b', [1]);
    await db.get('select $1::int as c', [1]);
    await db.get('select $1::int as a', [1]); // used again: b is now the oldest
    const prepared = (await db.all<{ statement: string }>(PREPARED)).map((row) => row.statement);
    assert.equal(prepared.length, 3);
    assert.ok(!prepared.includes('select $1::int as b'), `b was dropped: ${prepared.join(' | ')}`);
    assert.ok(prepared.includes('select $1::int as a'));
    assert.ok(prepared.includes(PREPARED));
  });

  test('statementCacheSize 0 prepares nothing; a bad size is refused', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 1, statementCacheSize: 0 });
    t.after(() => db.close());
    await db.get('select $1::int as a', [1]);
    assert.deepEqual(await db.all(PREPARED), []);
    await assert.rejects(connect(url, { statementCacheSize: -1 }), DatabaseError);
    await assert.rejects(connect(url, { statementCacheSize: 1.5 }), /statementCacheSize/);
  });

  test('a table changed by a migration here is read in its new shape, also in a transaction', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 2 });
    t.after(() => db.close());
    await db.run('create table notes (id int primary key, title text)');
    await db.run('insert into notes values ($1, $2)', [1, 'a']);
    const select = 'select * from notes where id = $1';
    // Prepared on both connections.
    await Promise.all([db.get(select, [1]), db.get(select, [1])]);
    await db.transaction(async (tx) => tx.get(select, [1]));
    await db.run('alter table notes add column stars int');
    assert.deepEqual(await db.get(select, [1]), { id: 1, title: 'a', stars: null });
    await db.transaction(async (tx) => {
      assert.deepEqual(await tx.get(select, [1]), { id: 1, title: 'a', stars: null });
    });
    const again = await Promise.all([db.get(select, [1]), db.get(select, [1])]);
    assert.deepEqual(again, [
      { id: 1, title: 'a', stars: null },
      { id: 1, title: 'a', stars: null },
    ]);
  });

  test('a table changed by another process: the statement runs again; in a transaction the error stands', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    const [{ schema }] = (await db.all<{ schema: string }>('select current_schema() as schema')) as [
      { schema: string },
    ];
    await db.run('create table notes (id int primary key, title text)');
    await db.run('insert into notes values ($1, $2)', [1, 'a']);
    const select = 'select * from notes where id = $1';
    await db.get(select, [1]);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    t.after(() => other.end());
    await other.query(`alter table "${schema}".notes add column stars int`);
    assert.deepEqual(await db.get(select, [1]), { id: 1, title: 'a', stars: null });

    await other.query(`alter table "${schema}".notes add column pages int`);
    await assert.rejects(
      db.transaction((tx) => tx.get(select, [1])),
      (error: unknown) => error instanceof DatabaseError && /cached plan/.test(error.message),
    );
    // The connection dropped its statements: the next use prepares afresh.
    assert.deepEqual(await db.get(select, [1]), { id: 1, title: 'a', stars: null, pages: null });
  });

  test('DISCARD ALL or DEALLOCATE ALL run by the app leave later statements working', async (t) => {
    const db = await testDatabase({ dialect: 'postgres', url, max: 1 });
    t.after(() => db.close());
    const select = 'select $1::int + 1 as n';
    assert.deepEqual(await db.get(select, [1]), { n: 2 });
    await db.run('deallocate all');
    assert.deepEqual(await db.get(select, [2]), { n: 3 });
    await db.run('discard all');
    assert.deepEqual(await db.get(select, [3]), { n: 4 });
  });
});
