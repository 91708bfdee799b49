/**
 * testDatabase(): every test gets a database of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, forEachDialect, testDatabase } from './support.ts';

forEachDialect((dialect, open) => {
  test('two test databases do not see each other’s tables', async (t) => {
    const a = await open();
    const b = await open();
    t.after(async () => {
      await a.close();
      await b.close();
    });
    await a.run('create table shared_name (x int)');
    await a.run('insert into shared_name values (1)');
    await b.run('create table shared_name (x int)');
    assert.equal(await count(a, 'shared_name'), 1);
    assert.equal(await count(b, 'shared_name'), 0);
    // Transactions use pooled connections too: they see the same schema.
    await b.transaction(async (tx) => tx.run('insert into shared_name values (2)'));
    assert.equal(await count(b, 'shared_name'), 1);
  });

  if (dialect === 'postgres') {
    test('the test schema is dropped on close', async () => {
      const db = await open();
      const { schema } = (await db.get<{ schema: string }>('select current_schema() as schema'))!;
      assert.match(schema, /^volt_test_[0-9a-f]{12}$/);
      await db.close();
      const admin = await testDatabase({ dialect: 'postgres' });
      try {
        const found = await admin.all('select 1 from pg_namespace where nspname = $1', [schema]);
        assert.deepEqual(found, []);
      } finally {
        await admin.close();
      }
    });
  }
});

test('testDatabase() is SQLite in memory by default', async () => {
  await using db = await testDatabase();
  assert.equal(db.dialect, 'sqlite');
  assert.deepEqual(await db.get('pragma foreign_keys'), { foreign_keys: 1 });
});
