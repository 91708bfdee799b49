import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, query } from 'voltjs/orm';
import { countQueries } from 'voltjs/testing';

const Country = model('press.Country', { name: f.string({ maxLength: 50 }) });
const Author = model('press.Author', {
  name: f.string({ maxLength: 100 }),
  country: f.foreignKey(() => Country, { onDelete: 'protect' }),
});
const Profile = model('press.Profile', {
  author: f.oneToOne(() => Author, { onDelete: 'cascade', relatedName: 'profile' }),
  bio: f.text(),
});
const Tag = model('press.Tag', { name: f.string({ maxLength: 50 }) }, { ordering: ['name'] });
const Book = model(
  'press.Book',
  {
    title: f.string({ maxLength: 200 }),
    author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
    tags: f.manyToMany(() => Tag),
  },
  { ordering: ['title'] },
);
const Review = model('press.Review', {
  book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }),
  rating: f.integer({ min: 1, max: 5 }),
});

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const press = defineApp({ name: 'press', models: [Country, Author, Profile, Tag, Book, Review] });
const app = volt({ database: 'sqlite::memory:', apps: [press] });
await app.ready();
const db = app.db;
await createTables(db, [Country, Author, Profile, Tag, Book, Review]);
const uk = await query(db, Country).create({ name: 'United Kingdom' });
const ada = await query(db, Author).create({ name: 'Ada', countryId: uk.id });
await query(db, Profile).create({ authorId: ada.id, bio: 'Analyst' });
const [sf, space] = await query(db, Tag).bulkCreate([{ name: 'sf' }, { name: 'space' }]);
const dune = await query(db, Book).create({ title: 'Dune', authorId: ada.id });
await query(db, Book).create({ title: 'Emma', authorId: ada.id });
await Book.rel.tags.of(db, dune).add(sf!, space!);
await query(db, Review).bulkCreate([
  { bookId: dune.id, rating: 5 },
  { bookId: dune.id, rating: 4 },
]);

const counter = countQueries(db);

// selectRelated joins a foreign key: one query. A path by name follows keys of keys.
const books = await query(counter.db, Book).selectRelated(Book.rel.author).all();
assert.equal(books[0]?.author.name, 'Ada');
const reviews = await query(counter.db, Review).selectRelated('book__author__country').all();
assert.equal(reviews[0]?.book.author.country.name, 'United Kingdom');
assert.equal(counter.count, 2);

// A many-to-many is prefetched through its join table: one more query, from either side.
// Tag's type cannot know that Book points at it: its side is Book.rel.tags.reverse
// (Tag.rel.bookSet at run time, the same handle).
counter.reset();
const tagged = await query(counter.db, Book).prefetchRelated(Book.rel.tags).all();
assert.deepEqual(
  tagged.map((b) => [b.title, b.tags.map((t) => t.name)]),
  [
    ['Dune', ['sf', 'space']],
    ['Emma', []],
  ],
);
const tags = await query(counter.db, Tag).prefetchRelated(Book.rel.tags.reverse).all();
assert.deepEqual(
  tags[0]?.bookSet.map((b) => b.title),
  ['Dune'],
);
assert.equal(counter.count, 4);

// A reverse one-to-one is one row or null, not a list.
const authors = await query(db, Author).prefetchRelated(Profile.rel.author.reverse).all();
assert.equal(authors[0]?.profile?.bio, 'Analyst');

// The second argument narrows the related query and can load its own relations:
// authors, their books (with tags and good reviews): one query per level, four in all.
counter.reset();
const shelf = await query(counter.db, Author)
  .prefetchRelated(Book.rel.author.reverse, (q) =>
    q
      .prefetchRelated(Book.rel.tags)
      .prefetchRelated(Review.rel.book.reverse, (r) => r.filter({ rating__gte: 5 })),
  )
  .all();
const first = shelf[0]!.bookSet[0]!;
assert.deepEqual([first.title, first.tags.length, first.reviews.length], ['Dune', 2, 1]);
assert.equal(counter.count, 4);

// Names work too: the name and the model of the loaded rows.
const same = await query(db, Author).prefetchRelated('bookSet', Book).all();
assert.deepEqual(
  same[0]?.bookSet.map((b) => b.title),
  ['Dune', 'Emma'],
);

await app.close(); // and its database with it
