/**
 * selectForUpdate(): rows read in a transaction stay the reader's until it ends, so a stock
 * decrement read-then-written sells exactly what there is, on both databases; its options and
 * its mistakes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { DatabaseBusyError } from '../../../src/orm/errors.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { plannedSignatures } from '../../../src/orm/query/direct-get.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { deferred, forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

function shop() {
  const registry = createRegistry();
  const Product = model(
    'store.Product',
    { name: f.string({ maxLength: 50 }), stock: f.integer({ min: 0 }) },
    { registry },
  );
  return { Product };
}

forEachDialect((dialect, open) => {
  test('20 concurrent orders for 5 items sell exactly 5 and refuse 15', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Product } = shop();
    await createTables(db, [Product]);
    const widget = await query(db, Product).create({ name: 'widget', stock: 5 });
    const order = () =>
      db.transaction(async (tx) => {
        const item = await query(tx, Product).selectForUpdate().get({ id: widget.id });
        // Another order may run here: without the lock it would read the same stock.
        await new Promise((resolve) => setImmediate(resolve));
        if (item.stock < 1) return 'refused';
        await query(tx, Product)
          .filter({ id: widget.id })
          .update({ stock: item.stock - 1 });
        return 'sold';
      });
    const outcomes = await Promise.all(Array.from({ length: 20 }, order));
    assert.equal(outcomes.filter((o) => o === 'sold').length, 5);
    assert.equal(outcomes.filter((o) => o === 'refused').length, 15);
    assert.equal((await query(db, Product).get({ id: widget.id })).stock, 0);
    // `selectForUpdate().get({ id })` ran through get()'s reused plan, which kept the lock.
    assert.ok(plannedSignatures(Product).includes(`${db.dialect}|for update|id`));
  });

  test('selectForUpdate outside a transaction, with distinct, with an unknown or a nullable "of" is a QueryError', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book } = await stocked(db);
    for (const locked of [
      query(db, Book).selectForUpdate().all(),
      query(db, Book).selectForUpdate().get({ id: 1 }),
    ])
      await assert.rejects(locked, (e) => {
        assert.ok(e instanceof QueryError);
        assert.match(e.message, /must run in one/);
        return true;
      });
    assert.throws(() => query(db, Book).selectForUpdate({ noWait: true, skipLocked: true }), QueryError);
    // An option misspelled from plain JavaScript (or Django's spelling) would wait instead of failing.
    assert.throws(
      () => query(db, Book).selectForUpdate({ nowait: true } as never),
      /unknown option 'nowait'; did you mean 'noWait'/,
    );
    assert.throws(
      () => query(db, Book).selectForUpdate({ skip_locked: true } as never),
      /did you mean 'skipLocked'/,
    );
    await db.transaction(async (tx) => {
      await assert.rejects(query(tx, Book).distinct().selectForUpdate().all(), QueryError);
      await assert.rejects(
        query(tx, Book)
          .selectForUpdate({ of: ['publisher'] })
          .all(),
        /'publisher' is not 'self'/,
      );
      // The editor may be missing (a left join): its side cannot be locked.
      await assert.rejects(
        query(tx, Book).selectRelated('editor').selectForUpdate().all(),
        /'editor' may be missing/,
      );
      const rows = await query(tx, Book)
        .selectRelated('author', 'editor')
        .selectForUpdate({ of: ['self', 'author'] })
        .all();
      assert.equal(rows.length, 3);
      assert.equal(rows[0]!.author.name, 'Ada');
    });
  });

  if (dialect === 'postgres')
    test('postgres: noWait fails at once with DatabaseBusyError; skipLocked leaves the locked rows out', async (t) => {
      const db = await open();
      t.after(() => db.close());
      const { Book, dune } = await stocked(db);
      const holding = deferred();
      const release = deferred();
      const holder = db.transaction(async (tx) => {
        await query(tx, Book).filter({ id: dune.id }).selectForUpdate().all();
        holding.resolve();
        await release.promise;
      });
      await holding.promise;
      try {
        await assert.rejects(
          db.transaction((tx) =>
            query(tx, Book).filter({ id: dune.id }).selectForUpdate({ noWait: true }).get(),
          ),
          DatabaseBusyError,
        );
        // The same through get()'s reused plan (a failed statement ends a PostgreSQL transaction).
        await assert.rejects(
          db.transaction((tx) => query(tx, Book).selectForUpdate({ noWait: true }).get({ id: dune.id })),
          DatabaseBusyError,
        );
        const free = await db.transaction((tx) =>
          query(tx, Book).selectForUpdate({ skipLocked: true }).all(),
        );
        assert.deepEqual(
          free.map((b) => b.title),
          ['Emma', 'The Engine'],
        );
      } finally {
        release.resolve();
        await holder;
      }
    });
});
