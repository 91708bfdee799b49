/**
 * The compiled-SQL cache: every query shape is compiled once, and a cached shape run with other
 * values returns the rows of those values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avg, count, max, sum } from '../../../src/orm/query/aggregates.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { not, or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  test('each shape is cached once and reused with other values', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Tag, ada, bob } = await seeded(db);
    const books = query(db, Book);
    const before = cachedShapes(Book);
    const round = async (author: number, text: string, low: number) => [
      (await books.filter({ authorId: author }).values('title')).map((r) => r.title).sort(),
      await books.filter({ title__icontains: text }).count(),
      await books.filter({ title__startsWith: text }, { pages__gte: low }).exists(),
      await books.filter({ title__endsWith: text }).count(),
      await books.filter({ title__contains: text }).count(),
      await books.filter({ title__iexact: text }).count(),
      await books.exclude({ pages__range: [low, low + 100] }).count(),
      await books
        .filter({ authorId__in: [author, author] })
        .orderBy('-price')
        .limit(1)
        .offset(0)
        .count(),
      (
        await books
          .filter({ price__gt: String(low) })
          .orderBy('-price')
          .offset(1)
          .first()
      )?.title ?? null,
      await books.filter({ pages__isNull: true }).update({ pages: low }),
    ];
    const first = await round(ada.id, 'Dune', 400);
    const cached = cachedShapes(Book) - before;
    assert.equal(cached, 10, 'every shape compiled once and kept');
    assert.deepEqual(first, [['Dune', 'Notes 100%_done'], 1, true, 1, 1, 1, 1, 1, null, 1]);
    const second = await round(bob.id, 'The', 5);
    assert.equal(cachedShapes(Book) - before, 10, 'no new shapes');
    assert.deepEqual(second, [['The Engine'], 1, true, 0, 1, 0, 2, 1, 'Dune', 0]);

    const tags = query(db, Tag);
    await tags.create({ slug: 'a', name: 'A' });
    await tags.create({ slug: 'b', name: 'B' });
    assert.equal(cachedShapes(Tag), 1);
    assert.deepEqual(await tags.filter({ slug: 'b' }).values('name'), [{ name: 'B' }]);
    assert.equal(await tags.filter({ slug: 'a' }).delete(), 1);
    assert.equal(await tags.filter({ slug: 'b' }).delete(), 1);
    assert.equal(cachedShapes(Tag), 3);
  });

  test('queries across relations, with combinators, date parts and aggregates reuse their SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Review, dune, engine } = await seeded(db);
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: engine.id, rating: 2 },
    ]);
    const books = query(db, Book);
    const round = async (name: string, rating: number, year: number) => [
      (await books.filter({ author__lastName: name }).orderBy('title').values('title')).map((r) => r.title),
      await books.filter({ reviews__rating__gte: rating }).count(),
      await books.filter(or({ author: { lastName: name } }, not({ reviews__rating__lt: rating }))).count(),
      await books.filter({ created__year__gte: year }).count(),
      (await books.orderBy('author__lastName', 'title').values('title', 'author__lastName'))[0]
        ?.author__lastName,
      await books.filter({ author__lastName: name }).aggregate({ n: count(), total: sum('price') }),
      (
        await books
          .annotate({ rating: avg('reviews__rating') })
          .filter({ rating__gte: rating })
          .orderBy('title')
          .values('title')
      ).map((r) => r.title),
    ];
    const before = cachedShapes(Book);
    const first = await round('Lovelace', 4, 2000);
    const shapes = cachedShapes(Book) - before;
    assert.equal(shapes, 7, 'every shape compiled once and kept');
    assert.deepEqual(first, [
      ['Dune', 'Notes 100%_done'],
      1,
      2,
      3,
      'Babbage',
      { n: 2, total: '29.40' },
      ['Dune'],
    ]);
    const second = await round('Babbage', 1, 3000);
    assert.equal(cachedShapes(Book) - before, shapes, 'no new shapes');
    assert.deepEqual(second, [
      ['The Engine'],
      2,
      3,
      0,
      'Babbage',
      { n: 1, total: '0.00' },
      ['Dune', 'The Engine'],
    ]);
  });

  test('an annotation name reused for another aggregate never reuses the other SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Review, dune } = await seeded(db);
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: dune.id, rating: 3 },
    ]);
    const books = query(db, Book).orderBy('title');
    const titles = (rows: Promise<{ title: string }[]>) => rows.then((r) => r.map((b) => b.title));
    // Dune has 2 reviews and 8 stars: count >= 3 matches nothing, the sum does.
    assert.deepEqual(
      await titles(
        books
          .annotate({ n: count('reviews') })
          .filter({ n__gte: 3 })
          .values('title'),
      ),
      [],
    );
    assert.deepEqual(
      await titles(
        books
          .annotate({ n: sum('reviews__rating') })
          .filter({ n__gte: 3 })
          .values('title'),
      ),
      ['Dune'],
    );
    assert.deepEqual(
      await books
        .annotate({ n: max('reviews__rating') })
        .filter({ n__lt: 4 })
        .values('title'),
      [],
    );
    // The same aggregate under another alias (a second annotation comes first).
    const first = await books
      .annotate({ n: count('reviews') })
      .orderBy('-n')
      .values('title', 'n');
    const second = await books
      .annotate({ m: max('reviews__rating'), n: count('reviews') })
      .orderBy('-n')
      .values('title', 'n');
    assert.deepEqual(second, first);
    assert.deepEqual(first[0], { title: 'Dune', n: 2 });
  });

  test('aggregate() after annotate() reads its own columns from a cached shape', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book } = await seeded(db);
    const books = query(db, Book);
    assert.deepEqual(await books.aggregate({ n: count() }), { n: 3 });
    assert.deepEqual(await books.annotate({ reviewCount: count('reviews') }).aggregate({ n: count() }), {
      n: 3,
    });
  });
});
