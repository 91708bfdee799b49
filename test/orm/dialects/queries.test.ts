/**
 * Raw SQL on both dialects: CRUD, parameters, quoting, Kysely round trips, closing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from '../../../src/orm/database.ts';
import { DatabaseError } from '../../../src/orm/errors.ts';
import { forEachDialect, ph, serialKey } from '../support.ts';

forEachDialect((dialect, open) => {
  test('create, read, update and delete rows with raw SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    assert.equal(db.dialect, dialect);
    await db.run(`create table notes (id ${serialKey(dialect)}, title text not null, stars int)`);

    const inserted = await db.run(`insert into notes (title, stars) values (${ph(db, 1)}, ${ph(db, 2)})`, [
      'first',
      3,
    ]);
    assert.equal(inserted.changes, 1);
    if (dialect === 'sqlite') assert.equal(inserted.lastInsertId, 1);
    await db.run(`insert into notes (title, stars) values (${ph(db, 1)}, ${ph(db, 2)})`, ['second', null]);

    const rows = await db.all('select id, title, stars from notes order by id');
    assert.deepEqual(rows, [
      { id: 1, title: 'first', stars: 3 },
      { id: 2, title: 'second', stars: null },
    ]);
    assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype, 'rows are plain objects');

    assert.deepEqual(await db.get(`select title from notes where id = ${ph(db, 1)}`, [2]), {
      title: 'second',
    });
    assert.equal(await db.get(`select title from notes where id = ${ph(db, 1)}`, [99]), undefined);

    const updated = await db.run(`update notes set stars = ${ph(db, 1)} where stars is null`, [5]);
    assert.equal(updated.changes, 1);
    const deleted = await db.run('delete from notes');
    assert.equal(deleted.changes, 2);
    assert.deepEqual(await db.all('select * from notes'), []);
  });

  test('arrays() gives each row as its column values in select order, inside transactions too (which say so)', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await db.run(`create table notes (id ${serialKey(dialect)}, title text not null, stars int)`);
    await db.run(`insert into notes (title, stars) values (${ph(db, 1)}, ${ph(db, 2)})`, ['first', 3]);
    await db.run(`insert into notes (title, stars) values (${ph(db, 1)}, ${ph(db, 2)})`, ['second', null]);
    const sql = `select stars, title from notes where id >= ${ph(db, 1)} order by id`;
    assert.deepEqual(await db.arrays(sql, [1]), [
      [3, 'first'],
      [null, 'second'],
    ]);
    // The same SQL still answers objects through all(): the two forms do not share a statement.
    assert.deepEqual(await db.all(sql, [2]), [{ stars: null, title: 'second' }]);
    assert.deepEqual(await db.arrays(sql, [3]), []);
    assert.equal(db.inTransaction, false);
    await db.transaction(async (tx) => {
      assert.equal(tx.inTransaction, true);
      await tx.transaction(async (savepoint) => assert.equal(savepoint.inTransaction, true));
      await tx.run(`update notes set stars = ${ph(db, 1)} where stars is null`, [1]);
      assert.deepEqual(await tx.arrays(sql, [2]), [[1, 'second']]);
    });
    await assert.rejects(db.arrays('select nope from notes'), DatabaseError);
  });

  test('values are bound as parameters, never spliced into the SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await db.run('create table names (name text)');
    const payload = "x'); drop table names; --";
    await db.run(`insert into names (name) values (${ph(db, 1)})`, [payload]);
    assert.deepEqual(await db.all('select name from names'), [{ name: payload }]);
    assert.deepEqual(await db.all(`select name from names where name = ${ph(db, 1)}`, ["' or '1'='1"]), []);
  });

  test('quoteIdentifier quotes reserved words and doubles inner quotes', async (t) => {
    const db = await open();
    t.after(() => db.close());
    assert.equal(db.quoteIdentifier('order'), '"order"');
    assert.equal(db.quoteIdentifier('a"b'), '"a""b"');
    const table = db.quoteIdentifier('select "weird" table');
    await db.run(`create table ${table} (${db.quoteIdentifier('order')} int)`);
    await db.run(`insert into ${table} values (${ph(db, 1)})`, [1]);
    assert.deepEqual(await db.all(`select ${db.quoteIdentifier('order')} from ${table}`), [{ order: 1 }]);
  });

  test('SQL compiled by db.kysely runs through all(), and db.kysely executes too', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await db.kysely.schema
      .createTable('people')
      .addColumn('id', dialect === 'sqlite' ? 'integer' : 'serial', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('active', 'boolean')
      .execute();

    const insert = db.kysely.insertInto('people').values({ name: 'Ada', active: true }).compile();
    assert.equal((await db.run(insert.sql, insert.parameters)).changes, 1);
    await db.kysely.insertInto('people').values({ name: 'Bob', active: false }).execute();

    const query = db.kysely.selectFrom('people').select(['name']).where('active', '=', true).compile();
    assert.match(query.sql, dialect === 'sqlite' ? /= \?/ : /= \$1/);
    assert.deepEqual(await db.all(query.sql, query.parameters), [{ name: 'Ada' }]);

    const result = await db.kysely
      .updateTable('people')
      .set({ name: 'Bobby' })
      .where('name', '=', 'Bob')
      .executeTakeFirst();
    assert.equal(result.numUpdatedRows, 1n);
    assert.deepEqual(await db.kysely.selectFrom('people').select('name').orderBy('id').execute(), [
      { name: 'Ada' },
      { name: 'Bobby' },
    ]);
    await assert.rejects(
      db.kysely.transaction().execute(async () => {}),
      /db\.transaction/,
    );
  });

  test('close() ends the connection; later statements fail clearly', async () => {
    const db = await open();
    await db.run('create table t (x int)');
    await db.close();
    await db.close(); // twice is fine
    await assert.rejects(db.all('select * from t'), DatabaseError);
  });
});

test('connect() rejects URLs it does not know, naming the ones it does', async () => {
  await assert.rejects(
    connect('mysql://root@localhost/db'),
    /Unsupported database URL scheme mysql:.*sqlite::memory:/,
  );
  await assert.rejects(connect('app.db'), /Unsupported database URL scheme/);
});

test('a sqlite: file URL creates its folder and uses WAL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volt-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'nested', 'data', 'app.db');
  const db = await connect(`sqlite:${file}`);
  t.after(() => db.close());
  assert.ok(existsSync(file));
  assert.deepEqual(await db.get('pragma journal_mode'), { journal_mode: 'wal' });
  assert.deepEqual(await db.get('pragma foreign_keys'), { foreign_keys: 1 });
  // The synchronous part of a lock wait only: the rest of busyTimeoutMs is waited asynchronously.
  assert.deepEqual(await db.get('pragma busy_timeout'), { timeout: 2 });
  assert.deepEqual(await db.get('pragma synchronous'), { synchronous: 1 });
});

test('SQLite: a tiny statement cache still runs every statement right', async () => {
  await using db = await connect('sqlite::memory:', { statementCacheSize: 2 });
  await db.run('create table t (x int)');
  for (let i = 0; i < 5; i++) {
    await db.run('insert into t values (?)', [i]);
    assert.deepEqual(await db.get('select count(*) as n from t'), { n: i + 1 });
    assert.deepEqual(await db.get('select max(x) as m from t'), { m: i });
  }
});
