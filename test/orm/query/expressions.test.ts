/**
 * or(), and(), not(): condition trees in filter and exclude, nested, across relations.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { and, not, or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { library } from '../model-fixtures.ts';
import { forEachDialect, testDatabase } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  test('or, and, not nest in filter and exclude', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, ada, bob } = await seeded(db);
    const books = query(db, Book).orderBy('title');
    const titles = async (set: typeof books) => (await set.values('title')).map((r) => r.title);
    // Dune: published, 9.90, Ada; Notes: draft, 19.50, Ada; The Engine: published, 0, Bob.
    assert.deepEqual(await titles(books.filter(or({ status: 'draft' }, { price__lt: '5' }))), [
      'Notes 100%_done',
      'The Engine',
    ]);
    assert.deepEqual(
      await titles(
        books.filter(or({ status: 'draft' }, and({ price__lt: '10' }, not({ authorId: bob.id })))),
      ),
      ['Dune', 'Notes 100%_done'],
    );
    assert.deepEqual(await titles(books.filter(not({ authorId: ada.id }))), ['The Engine']);
    // not(a, b) is not (a and b).
    assert.deepEqual(await titles(books.filter(not({ authorId: ada.id }, { status: 'draft' }))), [
      'Dune',
      'The Engine',
    ]);
    assert.deepEqual(await titles(books.exclude(or({ status: 'draft' }, { pages__lt: 100 }))), ['Dune']);
    // Combined with plain objects, relation paths and chained filters.
    assert.deepEqual(
      await titles(
        books.filter({ status: 'published' }, or({ author__lastName: 'Lovelace', pages__gt: 1000 })),
      ),
      ['Dune', 'The Engine'],
    );
    assert.deepEqual(
      await titles(books.filter(or({ author: { firstName: 'Bob' } }, { editor__lastName: 'Babbage' }))),
      ['Notes 100%_done', 'The Engine'],
    );
    assert.deepEqual(await titles(books.filter({ author: or({ firstName: 'Ada' }, { firstName: 'Bob' }) })), [
      'Dune',
      'Notes 100%_done',
      'The Engine',
    ]);
  });
});

test('combinators refuse empty or non-object parts', async (t) => {
  const db = await testDatabase();
  t.after(() => db.close());
  const { Book } = library();
  assert.throws(() => or(), /or\(\): give at least one condition/);
  assert.throws(() => and('title' as never), QueryError);
  assert.throws(() => query(db, Book).filter(not({ titel: 'x' } as never)), /has no field 'titel'/);
});
