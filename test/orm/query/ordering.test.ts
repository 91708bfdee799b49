/**
 * Ordering across foreign keys, NULLs in the same place on both dialects, and the names
 * orderBy refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await seeded(db)) };
  }

  test("orderBy a foreign key target's column, then a column of the row", async (t) => {
    const { db, Book } = await setup(t);
    // Dune and Notes by Lovelace, The Engine by Babbage.
    const rows = await query(db, Book)
      .orderBy('author__lastName', '-title')
      .values('title', 'author__lastName');
    assert.deepEqual(rows, [
      { title: 'The Engine', author__lastName: 'Babbage' },
      { title: 'Notes 100%_done', author__lastName: 'Lovelace' },
      { title: 'Dune', author__lastName: 'Lovelace' },
    ]);
    const first = await query(db, Book).orderBy('-author__lastName', 'title').first();
    assert.equal(first?.title, 'Dune');
    // With selectRelated, a filter and a limit.
    const page = await query(db, Book)
      .selectRelated('author')
      .filter({ status: 'published' })
      .orderBy('author__firstName')
      .limit(1)
      .all();
    assert.equal(page[0]?.author.firstName, 'Ada');
  });

  test('NULLs sort last ascending and first descending, on both dialects', async (t) => {
    const { db, Book } = await setup(t);
    const books = query(db, Book);
    const titles = async (set: typeof books) => (await set.values('title')).map((r) => r.title);
    // pages: Dune 412, Notes NULL, The Engine 90.
    assert.deepEqual(await titles(books.orderBy('pages')), ['The Engine', 'Dune', 'Notes 100%_done']);
    assert.deepEqual(await titles(books.orderBy('-pages')), ['Notes 100%_done', 'Dune', 'The Engine']);
    // Only Notes has an editor: the others reach no row, which sorts as NULL.
    assert.deepEqual(await titles(books.orderBy('editor__lastName', 'title')), [
      'Notes 100%_done',
      'Dune',
      'The Engine',
    ]);
    assert.deepEqual(await titles(books.orderBy('-editor__lastName', 'title')), [
      'Dune',
      'The Engine',
      'Notes 100%_done',
    ]);
  });

  test('meta.ordering still applies by default; paths over several rows are refused', async (t) => {
    const { db, Author, Book } = await setup(t);
    assert.deepEqual(
      (await query(db, Author).values('lastName')).map((r) => r.lastName),
      ['Babbage', 'Lovelace'],
    );
    assert.throws(
      () => query(db, Book).orderBy('reviews__rating' as never),
      /crosses a relation holding several rows; annotate an aggregate/,
    );
    assert.throws(
      () => query(db, Book).orderBy('author__nickname' as never),
      /library\.Author has no field 'nickname'/,
    );
    assert.throws(
      () => query(db, Book).orderBy('writer__lastName' as never),
      /library\.Book has no field 'writer'/,
    );
  });
});

forEachDialect((_dialect, open) => {
  test("a foreign key by its name orders by the related model's ordering, as Django; by its row key, by the key", async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Author, Book } = await stocked(db);
    // Aaron comes last by key, first by name (Author's ordering).
    const aaron = await query(db, Author).create({ name: 'Aaron', countryId: 'gb' });
    await query(db, Book).create({ title: 'Zebra', authorId: aaron.id });
    const authors = async (...order: string[]) =>
      (
        await query(db, Book)
          .selectRelated('author')
          .orderBy(...(order as never[]), 'title')
          .all()
      ).map((b) => b.author.name);
    assert.deepEqual(await authors('author'), ['Aaron', 'Ada', 'Ada', 'Bob']);
    assert.deepEqual(await authors('-author'), ['Bob', 'Ada', 'Ada', 'Aaron']);
    assert.deepEqual(await authors('authorId'), ['Ada', 'Ada', 'Bob', 'Aaron']);
  });
});
