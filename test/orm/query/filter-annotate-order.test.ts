/**
 * Django's "Order of annotate() and filter() clauses": a filter() on a relation holding several
 * rows, made before annotate(), restricts the related rows the annotation aggregates; made
 * after, it does not. Django's own examples, on both databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { avg, count, sum } from '../../../src/orm/query/aggregates.ts';
import { not, or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import type { OpenTestDatabase } from '../../../src/testing/database.ts';
import { forEachDialect } from '../support.ts';

function models() {
  const registry = createRegistry();
  const Publisher = model('pub.Publisher', { name: f.string({ maxLength: 50 }) }, { registry });
  const Book = model(
    'pub.Book',
    {
      name: f.string({ maxLength: 50 }),
      rating: f.float(),
      pages: f.integer(),
      publisher: f.foreignKey(() => Publisher, { onDelete: 'cascade', relatedName: 'book' }),
    },
    { registry },
  );
  return { Publisher, Book };
}

/** Publisher A has two books rated 4 and 5, B two rated 1 and 4, C one rated 1 (Django's example). */
async function setup(open: OpenTestDatabase, t: { after: (fn: () => Promise<void>) => void }) {
  const db = await open();
  t.after(() => db.close());
  const { Publisher, Book } = models();
  await createTables(db, [Publisher, Book]);
  const [a, b, c] = await query(db, Publisher).bulkCreate([{ name: 'A' }, { name: 'B' }, { name: 'C' }]);
  await query(db, Book).bulkCreate([
    { name: 'a4', rating: 4, pages: 100, publisherId: a!.id },
    { name: 'a5', rating: 5, pages: 300, publisherId: a!.id },
    { name: 'b1', rating: 1, pages: 200, publisherId: b!.id },
    { name: 'b4', rating: 4, pages: 50, publisherId: b!.id },
    { name: 'c1', rating: 1, pages: 10, publisherId: c!.id },
  ]);
  return { db, Publisher, Book };
}

forEachDialect((_dialect, open) => {
  test("Django's Count example: the filter after annotate() leaves the count alone, before it restricts it", async (t) => {
    const { db, Publisher } = await setup(open, t);
    const after = await query(db, Publisher)
      .annotate({ numBooks: count('book', { distinct: true }) })
      .filter({ book__rating__gt: 3.0 })
      .orderBy('name')
      .values('name', 'numBooks');
    assert.deepEqual(after, [
      { name: 'A', numBooks: 2 },
      { name: 'B', numBooks: 2 },
    ]);
    const before = await query(db, Publisher)
      .filter({ book__rating__gt: 3.0 })
      .annotate({ numBooks: count('book') })
      .orderBy('name')
      .values('name', 'numBooks');
    assert.deepEqual(before, [
      { name: 'A', numBooks: 2 },
      { name: 'B', numBooks: 1 },
    ]);
  });

  test("Django's Avg example: the average of all a publisher's books, or of those rated over 3 only", async (t) => {
    const { db, Publisher } = await setup(open, t);
    assert.deepEqual(
      await query(db, Publisher)
        .annotate({ avgRating: avg('book__rating') })
        .filter({ book__rating__gt: 3.0 })
        .orderBy('name')
        .values('name', 'avgRating'),
      [
        { name: 'A', avgRating: 4.5 },
        { name: 'B', avgRating: 2.5 },
      ],
    );
    assert.deepEqual(
      await query(db, Publisher)
        .filter({ book__rating__gt: 3.0 })
        .annotate({ avgRating: avg('book__rating') })
        .orderBy('name')
        .values('name', 'avgRating'),
      [
        { name: 'A', avgRating: 4.5 },
        { name: 'B', avgRating: 4 },
      ],
    );
  });

  test('which filters restrict an annotation: those naming its relation, made before it, outside a not()', async (t) => {
    const { db, Publisher } = await setup(open, t);
    const counts = async (set: { values(...keys: ['name', 'n']): Promise<{ name: string; n: number }[]> }) =>
      (await set.values('name', 'n')).map((row) => `${row.name}${row.n}`);
    const publishers = query(db, Publisher).orderBy('name');
    // Several conditions in one filter() hold on the same book; two filter() calls each restrict it.
    assert.deepEqual(
      await counts(
        publishers.filter({ book__rating__gte: 4, book__pages__gte: 100 }).annotate({ n: count('book') }),
      ),
      ['A2'],
    );
    assert.deepEqual(
      await counts(
        publishers
          .filter({ book__rating__gte: 4 })
          .filter({ book__pages__lt: 200 })
          .annotate({ n: count('book') }),
      ),
      ['A1', 'B1'],
    );
    // or(): each book counts when it, or its publisher, meets the condition.
    assert.deepEqual(
      await counts(
        publishers.filter(or({ book__rating__gte: 5 }, { name: 'B' })).annotate({ n: count('book') }),
      ),
      ['A1', 'B2'],
    );
    // A filter on the publisher only, exclude() and not() (a subquery, in Django too) restrict no book.
    assert.deepEqual(
      await counts(publishers.filter({ name__in: ['A', 'C'] }).annotate({ n: count('book') })),
      ['A2', 'C1'],
    );
    assert.deepEqual(
      await counts(publishers.exclude({ book__rating__lt: 2 }).annotate({ n: count('book') })),
      ['A2'],
    );
    assert.deepEqual(
      await counts(publishers.filter(not({ book__rating__lt: 2 })).annotate({ n: count('book') })),
      ['A2'],
    );
    // An aggregate's own filter and the earlier filter() both hold.
    assert.deepEqual(
      await counts(
        publishers
          .filter({ book__rating__gte: 4 })
          .annotate({ n: count('book', { filter: { book__pages__gte: 100 } }) }),
      ),
      ['A2', 'B0'],
    );
  });

  test('aggregate() and groupBy() after a filter() on the relation read the related rows meeting it, as Django', async (t) => {
    const { db, Publisher, Book } = await setup(open, t);
    assert.deepEqual(
      await query(db, Publisher)
        .filter({ book__rating__gt: 3.0 })
        .aggregate({ publishers: count(), books: count('book'), pages: sum('book__pages') }),
      { publishers: 2, books: 3, pages: 450 },
    );
    assert.deepEqual(
      await query(db, Publisher)
        .filter({ book__rating__gt: 3.0 })
        .groupBy('name')
        .aggregate({ books: count('book'), rating: avg('book__rating') }),
      [
        { name: 'A', books: 2, rating: 4.5 },
        { name: 'B', books: 1, rating: 4 },
      ],
    );
    // Without it, every book of the matching rows.
    assert.deepEqual(
      await query(db, Publisher)
        .filter({ name: 'B' })
        .aggregate({ books: count('book') }),
      {
        books: 2,
      },
    );
    // The rows themselves are unchanged by the rule: a book query is not affected.
    assert.equal(await query(db, Book).filter({ publisher__name: 'B' }).count(), 2);
  });
});
