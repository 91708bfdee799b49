/**
 * aggregate(), annotate() and groupBy(): values, types and NULLs over empty sets, relations,
 * filtering and ordering on annotations.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avg, count, max, min, sum } from '../../../src/orm/query/aggregates.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    const data = await seeded(db);
    const { Review, dune, engine } = data;
    // Dune: 5, 4, 4; The Engine: 2; Notes: none.
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: dune.id, rating: 4 },
      { bookId: dune.id, rating: 4 },
      { bookId: engine.id, rating: 2 },
    ]);
    return { db, ...data };
  }

  test('aggregate: one object; decimals exact, counts numbers, empty sets null', async (t) => {
    const { db, Book } = await setup(t);
    const books = query(db, Book);
    // Prices: 9.90, 19.50, 0.00.
    const all = await books.aggregate({
      n: count(),
      total: sum('price'),
      cheapest: min('price'),
      dearest: max('price'),
      meanPages: avg('pages'),
      withPages: count('pages'),
      longest: max('pages'),
      latest: max('created'),
    });
    assert.deepEqual(
      { ...all, latest: undefined },
      {
        n: 3,
        total: '29.40',
        cheapest: '0.00',
        dearest: '19.50',
        meanPages: 251,
        withPages: 2,
        longest: 412,
        latest: undefined,
      },
    );
    assert.ok(all.latest instanceof Date);
    const none = await books.filter({ title: 'nothing' }).aggregate({
      n: count(),
      total: sum('price'),
      mean: avg('price'),
      first: min('created'),
    });
    assert.deepEqual(none, { n: 0, total: null, mean: null, first: null });
    // Filters, limit and order apply before aggregating.
    assert.deepEqual(await books.filter({ status: 'published' }).aggregate({ total: sum('price') }), {
      total: '9.90',
    });
    assert.deepEqual(
      await books
        .orderBy('-price')
        .limit(2)
        .aggregate({ n: count(), total: sum('price') }),
      {
        n: 2,
        total: '29.40',
      },
    );
  });

  test('aggregate across relations aggregates the related rows of the matching rows', async (t) => {
    const { db, Book, Author } = await setup(t);
    const result = await query(db, Book).aggregate({
      rating: avg('reviews__rating'),
      reviewCount: count('reviews'),
      best: max('reviews__rating'),
      authors: count('authorId', { distinct: true }),
      total: sum('price'),
    });
    assert.deepEqual(result, { rating: 3.75, reviewCount: 4, best: 5, authors: 2, total: '29.40' });
    assert.deepEqual(
      await query(db, Book)
        .filter({ status: 'draft' })
        .aggregate({ rating: avg('reviews__rating') }),
      {
        rating: null,
      },
    );
    // Two hops backwards: every review of Ada's books.
    assert.deepEqual(
      await query(db, Author)
        .filter({ lastName: 'Lovelace' })
        .aggregate({ reviews: count('bookSet__reviews') }),
      { reviews: 3 },
    );
  });

  test('annotate adds a value per row; filters and orderBy can name it', async (t) => {
    const { db, Book } = await setup(t);
    const books = query(db, Book).annotate({ reviewCount: count('reviews'), rating: avg('reviews__rating') });
    const rows = await books.orderBy('-reviewCount', 'title').all();
    assert.deepEqual(
      rows.map((r) => [r.title, r.reviewCount, r.rating === null ? null : Math.round(r.rating * 100) / 100]),
      [
        ['Dune', 3, 4.33],
        ['The Engine', 1, 2],
        ['Notes 100%_done', 0, null],
      ],
    );
    // Two annotations over the same relation do not multiply each other.
    assert.deepEqual(
      await books.filter({ reviewCount__gte: 1 }).orderBy('rating').values('title', 'reviewCount'),
      [
        { title: 'The Engine', reviewCount: 1 },
        { title: 'Dune', reviewCount: 3 },
      ],
    );
    assert.equal(await books.exclude({ reviewCount: 0 }).count(), 2);
    assert.equal(await books.filter({ rating__gt: 4 }).count(), 1);
    // NULL annotations sort last ascending, like NULL columns.
    assert.deepEqual(
      (await books.orderBy('rating').values('title')).map((r) => r.title),
      ['The Engine', 'Dune', 'Notes 100%_done'],
    );
    // Chained annotate calls, and selectRelated beside them.
    const more = await books
      .annotate({ best: max('reviews__rating') })
      .selectRelated('author')
      .get({ title: 'Dune' });
    assert.deepEqual([more.reviewCount, more.best, more.author.lastName], [3, 5, 'Lovelace']);
  });

  test('groupBy: one row per group, ordered by the keys, with having', async (t) => {
    const { db, Book, ada, bob } = await setup(t);
    const perAuthor = await query(db, Book)
      .groupBy('authorId')
      .aggregate({ books: count(), total: sum('price'), longest: max('pages') });
    assert.deepEqual(perAuthor, [
      { authorId: ada.id, books: 2, total: '29.40', longest: 412 },
      { authorId: bob.id, books: 1, total: '0.00', longest: 90 },
    ]);
    assert.deepEqual(
      await query(db, Book)
        .groupBy('authorId')
        .aggregate({ books: count() }, { having: { books__gte: 2 } }),
      [{ authorId: ada.id, books: 2 }],
    );
    assert.deepEqual(
      await query(db, Book)
        .filter({ status: 'published' })
        .groupBy('status', 'authorId')
        .aggregate({ total: sum('price') }, { having: { total__gt: '1' } }),
      [{ status: 'published', authorId: ada.id, total: '9.90' }],
    );
  });

  test('aggregate names and paths are checked before any SQL runs', async (t) => {
    const { db, Book } = await setup(t);
    const books = query(db, Book);
    assert.throws(
      () => books.annotate({ 'n; drop table x': count('reviews') } as never),
      /cannot name a result/,
    );
    await assert.rejects(books.aggregate({ title: count() } as never), /'title' is already a field/);
    await assert.rejects(
      books.aggregate({ reviews: count('reviews') }),
      /'reviews' is already a field or relation/,
    );
    await assert.rejects(books.aggregate({ n: 'count(*)' } as never), /should be count\(\), sum\(\)/);
    await assert.rejects(
      books.aggregate({ n: sum('title') } as never),
      /sum\(\) needs a number or decimal field/,
    );
    await assert.rejects(
      books.aggregate({ n: avg('reviews') } as never),
      /needs a field after the relation 'reviews'/,
    );
    await assert.rejects(
      books.aggregate({ n: max('reviews__stars') } as never),
      /library\.Review has no field 'stars'/,
    );
    await assert.rejects(books.aggregate({}), /at least one aggregate/);
    assert.throws(() => books.annotate({ n: count() }), /aggregates the row itself/);
    assert.throws(
      () => books.annotate({ n: count('reviews') }).annotate({ n: count('reviews') }),
      /'n' is already a field or annotation/,
    );
    await assert.rejects(
      books.groupBy('authorId').aggregate({ n: count('reviews__rating', { distinct: true }) }),
      /counts distinct values across 'reviews', which holds several rows per library\.Book/,
    );
    assert.throws(() => books.groupBy('writer' as never), /has no field 'writer'/);
    assert.throws(() => sum('' as never), QueryError);
  });

  test('values with paths across foreign keys and annotations; distinct', async (t) => {
    const { db, Book } = await setup(t);
    const rows = await query(db, Book)
      .annotate({ reviewCount: count('reviews') })
      .orderBy('title')
      .values('title', 'author__lastName', 'editor__firstName', 'reviewCount');
    assert.deepEqual(rows, [
      { title: 'Dune', author__lastName: 'Lovelace', editor__firstName: null, reviewCount: 3 },
      { title: 'Notes 100%_done', author__lastName: 'Lovelace', editor__firstName: 'Bob', reviewCount: 0 },
      { title: 'The Engine', author__lastName: 'Babbage', editor__firstName: null, reviewCount: 1 },
    ]);
    await assert.rejects(query(db, Book).values('reviews__rating' as never), /aggregate it with annotate/);
    const authors = await query(db, Book).orderBy('authorId').distinct().values('authorId');
    assert.equal(authors.length, 2);
    assert.deepEqual(
      await query(db, Book)
        .orderBy()
        .distinct()
        .values('status')
        .then((r) => r.length),
      2,
    );
    await assert.rejects(
      query(db, Book).distinct().values('authorId'),
      /distinct: the rows are ordered by 'created', which is not selected/,
    );
  });
});
