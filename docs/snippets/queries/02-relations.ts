import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, QueryError, query } from 'voltjs/orm';
import { countQueries } from 'voltjs/testing';

const Author = model('shelf.Author', { name: f.string({ maxLength: 100 }) });
const Book = model(
  'shelf.Book',
  {
    title: f.string({ maxLength: 200 }),
    author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
  },
  { ordering: ['title'] },
);
const Review = model('shelf.Review', {
  book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
  rating: f.integer({ min: 1, max: 5 }),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const shelf = defineApp({ name: 'shelf', models: [Author, Book, Review] });
const app = volt({ database: 'sqlite::memory:', apps: [shelf] });
await app.ready();
const db = app.db;
await createTables(db, [Author, Book, Review]);
const ada = await query(db, Author).create({ name: 'Ada' });
for (let i = 1; i <= 20; i++) {
  const book = await query(db, Book).create({
    title: `Book ${String(i).padStart(2, '0')}`,
    authorId: ada.id,
  });
  await query(db, Review).bulkCreate([
    { bookId: book.id, rating: 5 },
    { bookId: book.id, rating: 3 },
  ]);
}

const counter = countQueries(db);

// selectRelated joins the foreign key's row into the same query: 20 books, 1 query.
const books = await query(counter.db, Book).selectRelated(Book.rel.author).all();
assert.equal(books[0]?.author.name, 'Ada');
assert.equal(counter.count, 1);

// prefetchRelated loads every book's reviews in one more query (where book_id in (…)).
counter.reset();
const rated = await query(counter.db, Book).prefetchRelated(Review.rel.book.reverse).all();
assert.deepEqual(rated[0]?.reviews.map((r) => r.rating).sort(), [3, 5]);
assert.equal(counter.count, 2);

// Without selectRelated there is no author property: reading it does not compile.
const plain = await query(db, Book).first();
// @ts-expect-error author was not loaded
assert.equal(plain?.author, undefined);

// Relation names are checked against the model before any SQL is built.
assert.throws(() => query(db, Book).selectRelated('writer' as never), QueryError);

await app.close(); // and its database with it
