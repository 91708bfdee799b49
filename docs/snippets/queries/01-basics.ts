import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, QueryError, query, ValidationError } from 'voltjs/orm';

const Author = model('shop.Author', { name: f.string({ maxLength: 100, unique: true }) });
const Book = model(
  'shop.Book',
  {
    title: f.string({ maxLength: 200 }),
    price: f.decimal({ digits: 8, places: 2, min: 0 }),
    status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
    author: f.foreignKey(() => Author, { onDelete: 'cascade' }),
  },
  { ordering: ['title'] },
);

// An app opens its database when it starts: app.db (ctx.db in a route) from then on.
const shop = defineApp({ name: 'shop', models: [Author, Book] });
const app = volt({ database: 'sqlite::memory:', apps: [shop] });
await app.ready();
const db = app.db;
await createTables(db, [Author, Book]);

// create() validates, fills defaults and returns the stored row.
const ada = await query(db, Author).create({ name: 'Ada' });
const books = query(db, Book);
await books.bulkCreate([
  { title: 'Dune', price: '9.9', authorId: ada.id, status: 'published' },
  { title: 'Emma', price: '19.50', authorId: ada.id },
]);

// Filters use row keys and Django-style lookups; each method returns a new QuerySet.
const published = books.filter({ status: 'published', title__icontains: 'DUNE' });
assert.deepEqual(await published.values('title', 'price'), [{ title: 'Dune', price: '9.90' }]);
assert.equal(await books.filter({ price__gt: '10' }).count(), 1);
assert.equal((await books.orderBy('-price').first())?.title, 'Emma');
assert.equal((await books.get({ title: 'Emma' })).status, 'draft');

// Values are parameters only: this title is matched verbatim.
assert.equal(await books.filter({ title: "x' or '1'='1" }).count(), 0);

// Names are checked against the model before any SQL is built.
assert.throws(() => books.filter({ titel: 'Dune' } as never), QueryError);

// A unique constraint failing is a validation error on the field.
await assert.rejects(query(db, Author).create({ name: 'Ada' }), (error) => {
  assert.ok(error instanceof ValidationError);
  assert.deepEqual(error.errors, [
    { loc: ['name'], msg: 'Author with this name already exists', type: 'unique' },
  ]);
  return true;
});

// Query-level update and delete return how many rows they changed.
assert.equal(await books.filter({ status: 'draft' }).update({ status: 'published' }), 1);
assert.equal(await books.filter({ price__lt: '10' }).delete(), 1);

await app.close(); // and its database with it
