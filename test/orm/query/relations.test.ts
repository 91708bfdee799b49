/**
 * selectRelated and prefetchRelated: relations loaded up front, in a fixed number of queries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await seeded(db)) };
  }

  test('selectRelated joins the target into the same query', async (t) => {
    const { db, Book, ada, bob } = await setup(t);
    const books = await query(db, Book).selectRelated('author', 'editor').orderBy('title').all();
    assert.deepEqual(
      books.map((b) => [b.title, b.author.lastName, b.editor?.lastName ?? null]),
      [
        ['Dune', 'Lovelace', null],
        ['Notes 100%_done', 'Lovelace', 'Babbage'],
        ['The Engine', 'Babbage', null],
      ],
    );
    const dune = books[0]!;
    assert.equal(dune.authorId, ada.id);
    assert.deepEqual(dune.author, ada);
    assert.equal(dune.editor, null);
    assert.deepEqual(books[1]!.editor, bob);
    // Filters, ordering and slicing keep naming the base table's columns.
    const one = await query(db, Book)
      .selectRelated('author')
      .filter({ title__icontains: 'engine' })
      .orderBy('-title')
      .limit(1)
      .offset(0)
      .get();
    assert.equal(one.author.firstName, 'Bob');
    const first = await query(db, Book).selectRelated('author').orderBy('title').first();
    assert.equal(first?.author.email, 'ada@example.com');
    assert.equal(await query(db, Book).selectRelated('author', 'editor').count(), 3);
    assert.equal(await query(db, Book).selectRelated('editor').exists(), true);
    assert.deepEqual(await query(db, Book).selectRelated('author').orderBy('title').values('title'), [
      { title: 'Dune' },
      { title: 'Notes 100%_done' },
      { title: 'The Engine' },
    ]);
  });

  test('rows without selectRelated have no relation property', async (t) => {
    const { db, Book } = await setup(t);
    const [book] = await query(db, Book).all();
    assert.equal('author' in book!, false);
  });

  test('unknown relation names are refused before any SQL', async (t) => {
    const { db, Book, Review, Author } = await setup(t);
    const counter = countQueries(db);
    assert.throws(
      () => query(counter.db, Book).selectRelated('writer' as never),
      (e) => e instanceof QueryError && /its relations are: author, editor/.test(e.message),
    );
    // A many-to-many is not joined.
    assert.throws(() => query(counter.db, Book).selectRelated('tags' as never), QueryError);
    assert.throws(
      () => query(counter.db, Book).prefetchRelated('critiques', Review),
      (e) => e instanceof QueryError && /reverse relations are: .*reviews/.test(e.message),
    );
    assert.throws(() => query(counter.db, Book).prefetchRelated('reviews', Author), QueryError);
    assert.equal(counter.count, 0);
  });

  test('prefetchRelated loads a reverse foreign key in one batched query', async (t) => {
    const { db, Book, Review, dune, engine } = await setup(t);
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5, body: 'Great' },
      { bookId: dune.id, rating: 4 },
      { bookId: engine.id, rating: 3 },
    ]);
    const books = await query(db, Book).prefetchRelated('reviews', Review).orderBy('title').all();
    assert.deepEqual(
      books.map((b) => [b.title, b.reviews.map((r) => r.rating).sort()]),
      [
        ['Dune', [4, 5]],
        ['Notes 100%_done', []],
        ['The Engine', [3]],
      ],
    );
    assert.equal(books[0]!.reviews[0]!.bookId, dune.id);
    const none = await query(db, Book).filter({ title: 'none' }).prefetchRelated('reviews', Review).all();
    assert.deepEqual(none, []);
  });

  test('no N+1: 20 books cost 1 query joined, 2 prefetched', async (t) => {
    const { db, Book, Review, ada, bob } = await setup(t);
    for (let i = 0; i < 20; i++) {
      const book = await query(db, Book).create({
        title: `Book ${i}`,
        isbn: String(9781000000000 + i),
        price: '1',
        authorId: i % 2 ? ada.id : bob.id,
      });
      await query(db, Review).create({ bookId: book.id, rating: 1 + (i % 5) });
    }
    const counter = countQueries(db);
    const joined = await query(counter.db, Book).selectRelated('author', 'editor').limit(20).all();
    assert.equal(joined.length, 20);
    assert.ok(joined.every((b) => b.author.id === b.authorId));
    assert.equal(counter.count, 1);
    assert.match(counter.sql[0]!, /inner join .* left join/i);

    counter.reset();
    const both = await query(counter.db, Book)
      .filter({ title__startsWith: 'Book' })
      .selectRelated('author')
      .prefetchRelated('reviews', Review)
      .all();
    assert.equal(both.length, 20);
    assert.ok(both.every((b) => b.reviews.length === 1 && b.reviews[0]!.bookId === b.id));
    assert.equal(counter.count, 2);
    assert.match(counter.sql[1]!, / in \(/i);
  });
});
