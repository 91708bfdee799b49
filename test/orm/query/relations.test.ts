/**
 * selectRelated and prefetchRelated: relations loaded up front, in a fixed number of queries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count } from '../../../src/orm/query/aggregates.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';
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
      // @ts-expect-error a misspelled reverse relation does not compile either
      () => query(counter.db, Book).prefetchRelated('critiques', Review),
      (e) => e instanceof QueryError && /reverse relations are: .*reviews/.test(e.message),
    );
    // @ts-expect-error Author has no relation to Book named reviews
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

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('selectRelated follows keys of keys in one query', async (t) => {
    const { db, Review, Book, dune, emma, engine } = await setup(t);
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: emma.id, rating: 3 },
      { bookId: engine.id, rating: 4 },
    ]);
    const counter = countQueries(db);
    const reviews = await query(counter.db, Review)
      .selectRelated('book__author__country', 'book__editor')
      .orderBy('rating')
      .all();
    assert.equal(counter.count, 1);
    assert.deepEqual(
      reviews.map((r) => [
        r.rating,
        r.book.title,
        r.book.author.name,
        r.book.author.country.name,
        r.book.editor?.name ?? null,
      ]),
      [
        [3, 'Emma', 'Ada', 'United Kingdom', 'Bob'],
        [4, 'The Engine', 'Bob', 'United Kingdom', null],
        [5, 'Dune', 'Ada', 'United Kingdom', null],
      ],
    );
    // Filters, ordering, slicing and counting keep naming the base table's columns.
    const best = await query(db, Review)
      .selectRelated('book__author')
      .filter({ rating__gte: 4 })
      .orderBy('-rating')
      .offset(0)
      .first();
    assert.deepEqual([best?.rating, best?.book.author.name], [5, 'Ada']);
    assert.equal(await query(db, Review).selectRelated('book__author').filter({ rating__gte: 4 }).count(), 2);
    // Naming a hop again (or its prefix) joins it once.
    counter.reset();
    const again = await query(counter.db, Review)
      .selectRelated('book', 'book__author')
      .selectRelated('book')
      .all();
    assert.equal(again.length, 3);
    assert.equal(counter.sql[0]!.match(/join/gi)?.length, 2);
    // A nullable hop is a left join, and so is every hop after it.
    const books = await query(db, Book).selectRelated('editor__country').all();
    assert.deepEqual(
      books.map((b) => [b.title, b.editor?.country.code ?? null]),
      [
        ['Dune', null],
        ['Emma', 'gb'],
        ['The Engine', null],
      ],
    );
  });

  test('a wrong hop in a path is refused before any SQL, naming the model it was looked up on', async (t) => {
    const { db, Review } = await setup(t);
    assert.throws(
      () => query(db, Review).selectRelated('book__writer' as never),
      (e) =>
        e instanceof QueryError &&
        /cat\.Book has no foreign key "writer" \(in 'book__writer'\); its relations are: author, editor/.test(
          e.message,
        ),
    );
    assert.throws(() => query(db, Review).selectRelated('book__tags' as never), QueryError);
  });

  test('prefetchRelated loads a many-to-many, both ways, in one query each', async (t) => {
    const { db, Book, Tag, dune, emma } = await setup(t);
    await query(db, Book).related(dune, 'tags', Tag).add('sf', 'space');
    await query(db, Book).related(emma, 'tags', Tag).add('classic', 'sf');
    const counter = countQueries(db);
    const books = await query(counter.db, Book).prefetchRelated('tags', Tag).all();
    assert.equal(counter.count, 2);
    assert.deepEqual(
      books.map((b) => [b.title, b.tags.map((tag) => tag.slug)]),
      [
        ['Dune', ['sf', 'space']],
        ['Emma', ['classic', 'sf']],
        ['The Engine', []],
      ],
    );
    counter.reset();
    const tags = await query(counter.db, Tag).prefetchRelated('bookSet', Book).all();
    assert.equal(counter.count, 2);
    assert.deepEqual(
      tags.map((tag) => [tag.slug, tag.bookSet.map((b) => b.title)]),
      [
        ['classic', ['Emma']],
        ['sf', ['Dune', 'Emma']],
        ['space', ['Dune']],
      ],
    );
  });

  test('a many-to-many prefetch narrowed by annotate keeps the annotation next to the joined rows', async (t) => {
    const { db, Book, Tag, Review, dune, emma } = await setup(t);
    await query(db, Book).related(dune, 'tags', Tag).add('sf', 'space');
    await query(db, Book).related(emma, 'tags', Tag).add('sf');
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: dune.id, rating: 3 },
    ]);
    const tags = await query(db, Tag)
      .prefetchRelated('bookSet', Book, (books) =>
        books.annotate({ reviewCount: count('reviews') }).selectRelated('author'),
      )
      .all();
    assert.deepEqual(
      tags.map((tag) => [tag.slug, tag.bookSet.map((b) => [b.title, b.reviewCount, b.author.name])]),
      [
        ['classic', []],
        [
          'sf',
          [
            ['Dune', 2, 'Ada'],
            ['Emma', 0, 'Ada'],
          ],
        ],
        ['space', [['Dune', 2, 'Ada']]],
      ],
    );
  });

  test('prefetchRelated loads a many-to-many through a model', async (t) => {
    const { db, Book, Shelf, Placement, dune, engine } = await setup(t);
    const [hall, attic] = await query(db, Shelf).bulkCreate([{ name: 'Hall' }, { name: 'Attic' }]);
    await query(db, Placement).bulkCreate([
      { shelfId: hall!.id, bookId: dune.id, position: 1 },
      { shelfId: hall!.id, bookId: engine.id, position: 2 },
      { shelfId: attic!.id, bookId: engine.id, position: 1 },
    ]);
    const shelves = await query(db, Shelf).prefetchRelated('books', Book).all();
    assert.deepEqual(
      shelves.map((s) => [s.name, s.books.map((b) => b.title)]),
      [
        ['Attic', ['The Engine']],
        ['Hall', ['Dune', 'The Engine']],
      ],
    );
    const books = await query(db, Book).prefetchRelated('shelves', Shelf).all();
    assert.deepEqual(
      books.map((b) => [b.title, b.shelves.map((s) => s.name)]),
      [
        ['Dune', ['Hall']],
        ['Emma', []],
        ['The Engine', ['Attic', 'Hall']],
      ],
    );
  });

  test('prefetchRelated gives a reverse one-to-one as one row or null', async (t) => {
    const { db, Author, Profile, ada } = await setup(t);
    await query(db, Profile).create({ authorId: ada.id, bio: 'Analyst' });
    const counter = countQueries(db);
    const authors = await query(counter.db, Author).prefetchRelated('profile', Profile).all();
    assert.equal(counter.count, 2);
    assert.deepEqual(
      authors.map((a) => [a.name, a.profile?.bio ?? null]),
      [
        ['Ada', 'Analyst'],
        ['Bob', null],
      ],
    );
  });

  test('a prefetch can be narrowed and nested: one more query per level', async (t) => {
    const { db, Author, Book, Tag, Review, ada, dune, emma, engine } = await setup(t);
    await query(db, Book).related(dune, 'tags', Tag).add('sf');
    await query(db, Book).related(engine, 'tags', Tag).add('classic', 'space');
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: emma.id, rating: 2 },
    ]);
    const counter = countQueries(db);
    const authors = await query(counter.db, Author)
      .prefetchRelated('bookSet', Book, (books) =>
        books
          .orderBy('-title')
          .selectRelated('editor')
          .prefetchRelated('tags', Tag, (tags) => tags.exclude({ slug: 'space' }))
          .prefetchRelated('reviews', Review),
      )
      .all();
    assert.equal(counter.count, 4);
    const shown = authors.map((a) => [
      a.name,
      a.bookSet.map((b) => [
        b.title,
        b.editor?.name ?? null,
        b.tags.map((tag) => tag.slug),
        b.reviews.map((r) => r.rating),
      ]),
    ]);
    assert.deepEqual(shown, [
      [
        'Ada',
        [
          ['Emma', 'Bob', [], [2]],
          ['Dune', null, ['sf'], [5]],
        ],
      ],
      ['Bob', [['The Engine', null, ['classic'], []]]],
    ]);
    assert.equal(authors[0]!.id, ada.id);
    // A sliced related query is refused: a limit would apply to every author's books at once.
    await assert.rejects(
      query(db, Author)
        .prefetchRelated('bookSet', Book, (books) => books.limit(1))
        .all(),
      (e) => e instanceof QueryError && /cannot use limit or offset/.test(e.message),
    );
    assert.throws(() => query(db, Author).prefetchRelated('bookSet', Book, 'x' as never), QueryError);
  });

  test('prefetchRelated names many-to-manys and reverse relations when the name is wrong', async (t) => {
    const { db, Book, Tag, Author } = await setup(t);
    assert.throws(
      // @ts-expect-error not a relation of Book
      () => query(db, Book).prefetchRelated('labels', Tag),
      (e) =>
        e instanceof QueryError &&
        /its reverse relations are: reviews, chapters, loans, shelves, placementSet; its many-to-manys: tags/.test(
          e.message,
        ),
    );
    assert.throws(
      () => query(db, Book).prefetchRelated('tags', Author),
      (e) => e instanceof QueryError && /holds cat\.Tag rows, not cat\.Author/.test(e.message),
    );
  });
});
