import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { avg, count, createTables, f, max, model, query, sum } from 'voltjs/orm';

const Author = model('stats.Author', { name: f.string({ maxLength: 100 }) });
const Book = model('stats.Book', {
  title: f.string({ maxLength: 200 }),
  price: f.decimal({ digits: 8, places: 2 }),
  author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
});
const Review = model('stats.Review', {
  book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
  rating: f.integer({ min: 1, max: 5 }),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const stats = defineApp({ name: 'stats', models: [Author, Book, Review] });
const app = volt({ database: 'sqlite::memory:', apps: [stats] });
await app.ready();
const db = app.db;
await createTables(db, [Author, Book, Review]);
const [ada, jules] = await query(db, Author).bulkCreate([{ name: 'Ada' }, { name: 'Jules' }]);
const [notes, moon, sea] = await query(db, Book).bulkCreate([
  { title: 'Notes', price: '12.00', authorId: ada!.id },
  { title: 'Moon', price: '8.50', authorId: jules!.id },
  { title: 'Sea', price: '9.90', authorId: jules!.id },
]);
await query(db, Review).bulkCreate([
  { bookId: moon!.id, rating: 5 },
  { bookId: moon!.id, rating: 4 },
  { bookId: sea!.id, rating: 3 },
]);
const books = query(db, Book);

// aggregate(): one object. Counts are numbers, decimal sums and averages exact strings (an
// average at PostgreSQL's precision), averages of numbers numbers; over no rows everything but
// count is null.
assert.deepEqual(
  await books.aggregate({
    n: count(),
    total: sum('price'),
    mean: avg('price'),
    rating: avg('reviews__rating'),
  }),
  { n: 3, total: '30.40', mean: '10.1333333333333333', rating: 4 },
);
assert.deepEqual(await books.filter({ title: 'none' }).aggregate({ n: count(), total: sum('price') }), {
  n: 0,
  total: null,
});

// annotate(): a value per row, which filters, orderBy and values can name.
const rated = books.annotate({ reviewCount: count('reviews'), best: max('reviews__rating') });
assert.deepEqual(
  await rated.filter({ reviewCount__gte: 1 }).orderBy('-best').values('title', 'reviewCount', 'best'),
  [
    { title: 'Moon', reviewCount: 2, best: 5 },
    { title: 'Sea', reviewCount: 1, best: 3 },
  ],
);

// groupBy(): one row per group, ordered by the keys; having filters the groups.
assert.deepEqual(await books.groupBy('authorId').aggregate({ books: count(), total: sum('price') }), [
  { authorId: ada!.id, books: 1, total: '12.00' },
  { authorId: jules!.id, books: 2, total: '18.40' },
]);
assert.deepEqual(
  await books.groupBy('authorId').aggregate({ books: count() }, { having: { books__gte: 2 } }),
  [{ authorId: jules!.id, books: 2 }],
);

// values() follows foreign keys too; distinct() drops repeated rows.
assert.deepEqual(await books.filter({ id: notes!.id }).values('title', 'author__name'), [
  { title: 'Notes', author__name: 'Ada' },
]);
assert.deepEqual(await books.orderBy('author__name').distinct().values('author__name'), [
  { author__name: 'Ada' },
  { author__name: 'Jules' },
]);

await app.close(); // and its database with it
