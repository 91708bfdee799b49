/**
 * distinct(): duplicate rows dropped, with values() and across relations, on both dialects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  test('distinct drops repeated rows of values()', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, ada, bob } = await seeded(db);
    const books = query(db, Book);
    assert.equal((await books.orderBy('authorId').values('authorId')).length, 3);
    assert.deepEqual(await books.orderBy('authorId').distinct().values('authorId'), [
      { authorId: ada.id },
      { authorId: bob.id },
    ]);
    assert.deepEqual(await books.orderBy('-author__lastName').distinct().values('author__lastName'), [
      { author__lastName: 'Lovelace' },
      { author__lastName: 'Babbage' },
    ]);
    assert.deepEqual(await books.orderBy().distinct().filter({ status: 'published' }).count(), 2);
    // Whole rows include the primary key: distinct keeps them all.
    assert.equal((await books.distinct().all()).length, 3);
  });

  test('distinct refuses an order by a value it does not select', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book } = await seeded(db);
    // meta.ordering is ['-created', 'title'].
    await assert.rejects(
      query(db, Book).distinct().values('status'),
      /distinct: the rows are ordered by 'created', which is not selected; order by selected values/,
    );
    await assert.rejects(
      query(db, Book).orderBy('author__lastName').distinct().values('title'),
      /'author__lastName'/,
    );
  });
});
