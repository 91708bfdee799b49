import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { and, createTables, f, model, not, or, QueryError, query } from 'voltjs/orm';

const Author = model('press.Author', { name: f.string({ maxLength: 100 }) });
const Tag = model('press.Tag', { name: f.string({ maxLength: 30 }) });
const Book = model(
  'press.Book',
  {
    title: f.string({ maxLength: 200 }),
    price: f.decimal({ digits: 8, places: 2 }),
    status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
    published: f.datetime({ nullable: true }),
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
const press = defineApp({ name: 'press', models: [Author, Tag, Book, Review] });
const app = volt({ database: 'sqlite::memory:', apps: [press] });
await app.ready();
const db = app.db;
await createTables(db, [Author, Tag, Book, Review]);
const [ada, jules] = await query(db, Author).bulkCreate([{ name: 'Ada Lovelace' }, { name: 'Jules Verne' }]);
const [, moon, sea] = await query(db, Book).bulkCreate([
  { title: 'Notes', price: '12.00', authorId: ada!.id, published: new Date('1843-09-01T00:00:00Z') },
  {
    title: 'Moon',
    price: '8.50',
    authorId: jules!.id,
    status: 'published',
    published: new Date('1865-10-01T00:00:00Z'),
  },
  {
    title: 'Sea',
    price: '9.90',
    authorId: jules!.id,
    status: 'published',
    published: new Date('1870-06-20T00:00:00Z'),
  },
]);
await query(db, Review).bulkCreate([
  { bookId: moon!.id, rating: 5 },
  { bookId: moon!.id, rating: 4 },
  { bookId: sea!.id, rating: 2 },
]);
const [sf] = await query(db, Tag).bulkCreate([{ name: 'sf' }]);
// The auto join table of Book.tags is press_book_tags (book_id, tag_id).
for (const book of [moon!, sea!])
  await db.run('insert into press_book_tags (book_id, tag_id) values (?, ?)', [book.id, sf!.id]);

const titles = async (rows: Promise<{ title: string }[]>) => (await rows).map((b) => b.title);
const books = query(db, Book);

// A foreign key's target: a path, or a nested object.
assert.deepEqual(await titles(books.filter({ author__name__icontains: 'verne' }).all()), ['Moon', 'Sea']);
assert.deepEqual(await titles(books.filter({ author: { name__startsWith: 'Ada' } }).all()), ['Notes']);

// A reverse foreign key: books with at least one review of 4 or more, each book once.
assert.deepEqual(await titles(books.filter({ reviews__rating__gte: 4 }).all()), ['Moon']);
assert.deepEqual(await titles(books.filter({ reviews__isNull: true }).all()), ['Notes']);
// Many-to-many, in both directions; and several hops (tag → book → author).
assert.deepEqual(await titles(books.filter({ tags__name: 'sf' }).all()), ['Moon', 'Sea']);
assert.equal(await query(db, Tag).filter({ bookSet__author__name__exact: 'Jules Verne' }).count(), 1);

// or(), and() and not() nest anywhere a conditions object goes.
const cheapOrDraft = books.filter(
  or({ status: 'draft' }, and({ price__lt: '9' }, not({ authorId: ada!.id }))),
);
assert.deepEqual(await titles(cheapOrDraft.all()), ['Moon', 'Notes']);

// Date parts of dates and datetimes (in the database time zone, UTC here): year, quarter, month, day, weekDay (1 = Sunday) …
assert.deepEqual(
  await titles(books.filter({ published__year__gte: 1860, published__month__in: [6, 7] }).all()),
  ['Sea'],
);

// Ordering across a foreign key; NULLs sort last ascending, first descending, on every database.
assert.deepEqual(await titles(books.orderBy('-author__name', 'title').all()), ['Moon', 'Sea', 'Notes']);

// Every name along a path is checked against the models before any SQL is built.
assert.throws(() => books.filter({ author__nmae: 'x' } as never), QueryError);

await app.close(); // and its database with it
