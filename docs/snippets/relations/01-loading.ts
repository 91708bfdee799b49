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
await query(db, Book).related(dune, 'tags', Tag).add(sf!, space!);
await query(db, Review).bulkCreate([
  { bookId: dune.id, rating: 5 },
  { bookId: dune.id, rating: 4 },
]);

const counter = countQueries(db);

// A path follows keys of keys: review → book → author → country, still one query.
const reviews = await query(counter.db, Review).selectRelated('book__author__country').all();
assert.equal(reviews[0]?.book.author.country.name, 'United Kingdom');
assert.equal(counter.count, 1);

// A many-to-many is prefetched through its join table: one more query, from either side.
counter.reset();
const books = await query(counter.db, Book).prefetchRelated('tags', Tag).all();
assert.deepEqual(
  books.map((b) => [b.title, b.tags.map((t) => t.name)]),
  [
    ['Dune', ['sf', 'space']],
    ['Emma', []],
  ],
);
const tags = await query(counter.db, Tag).prefetchRelated('bookSet', Book).all();
assert.deepEqual(
  tags[0]?.bookSet.map((b) => b.title),
  ['Dune'],
);
assert.equal(counter.count, 4);

// A reverse one-to-one is one row or null, not a list.
const authors = await query(db, Author).prefetchRelated('profile', Profile).all();
assert.equal(authors[0]?.profile?.bio, 'Analyst');

// The third argument narrows the related query and can load its own relations:
// authors, their books (with tags and good reviews): one query per level, four in all.
counter.reset();
const shelf = await query(counter.db, Author)
  .prefetchRelated('bookSet', Book, (q) =>
    q.prefetchRelated('tags', Tag).prefetchRelated('reviews', Review, (r) => r.filter({ rating__gte: 5 })),
  )
  .all();
const first = shelf[0]!.bookSet[0]!;
assert.deepEqual([first.title, first.tags.length, first.reviews.length], ['Dune', 2, 1]);
assert.equal(counter.count, 4);

await app.close(); // and its database with it
