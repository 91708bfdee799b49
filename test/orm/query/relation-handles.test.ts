/**
 * Relation handles, `Model.rel`: a model's relations as values, for many-to-many managers
 * (`Book.rel.tags.of(db, book)`), `prefetchRelated(Book.rel.tags)` and
 * `selectRelated(Book.rel.author)`; built on first use, checked before any SQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { ModelDefinitionError } from '../../../src/orm/fields/field.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { KeyHandle, ManyToManyHandle, ReverseHandle } from '../../../src/orm/query/handles.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';
import { catalog, stocked } from './catalog.ts';

test('Model.rel has a handle per relation, its own and those pointing at it', () => {
  const { Author, Book, Tag, Shelf, Profile } = catalog();
  assert.deepEqual(Object.keys(Book.rel), [
    'author',
    'editor',
    'tags',
    'reviews',
    'chapters',
    'loans',
    'shelves',
    'placementSet',
  ]);
  assert.deepEqual(Object.keys(Author.rel), ['country', 'profile', 'bookSet', 'edited', 'chaptersWritten']);
  assert.ok(Book.rel.author instanceof KeyHandle);
  assert.ok(Book.rel.tags instanceof ManyToManyHandle);
  const rel = Author.rel as Record<string, unknown>;
  assert.ok(rel.bookSet instanceof ReverseHandle);
  assert.equal((rel.profile as ReverseHandle).single, true);
  // One handle per relation, whichever side it is reached from.
  assert.equal(Book.rel, Book.rel);
  assert.equal(Book.rel.tags.reverse, (Tag.rel as Record<string, unknown>).bookSet);
  assert.equal(Book.rel.tags.reverse.reverse, Book.rel.tags);
  assert.equal(Book.rel.author.reverse, rel.bookSet);
  assert.equal(Book.rel.author.reverse.reverse, Book.rel.author);
  assert.equal(Profile.rel.author.reverse, rel.profile);
  assert.equal(Shelf.rel.books.reverse, (Book.rel as Record<string, unknown>).shelves);
  assert.deepEqual(
    [Book.rel.tags.name, Book.rel.tags.model, Book.rel.tags.target, Book.rel.tags.kind],
    ['tags', Book, Tag, 'manyToMany'],
  );
  assert.deepEqual(
    [Book.rel.author.reverse.name, Book.rel.author.reverse.model, Book.rel.author.reverse.target],
    ['bookSet', Author, Book],
  );
  assert.equal(String(Book.rel.tags.reverse), 'cat.Tag.rel.bookSet');
  // Not part of what a model lists (it is built on first use, not when the model is declared).
  assert.deepEqual(Object.keys(Book), ['label', 'meta', 'fields', 'schema']);
});

test('handles resolve on first use, through the registry: models may come in any order', () => {
  const registry = createRegistry();
  const Shelf = model(
    'lib.Shelf',
    { books: f.manyToMany('lib.Book', { relatedName: 'shelves' }) },
    { registry },
  );
  // Declared, with its handle: its target is not known yet, and not needed yet.
  const books = Shelf.rel.books;
  assert.throws(() => books.target, ModelDefinitionError);
  const Book = model('lib.Book', { title: f.string({ maxLength: 50 }) }, { registry });
  assert.equal(books.target, Book);
  assert.deepEqual(Object.keys(Book.rel), ['shelves']);
  // A model registered later, pointing at Book, is in Book.rel from then on.
  const Review = model(
    'lib.Review',
    { book: f.foreignKey(() => Book, { onDelete: 'cascade', relatedName: 'reviews' }) },
    { registry },
  );
  assert.deepEqual(Object.keys(Book.rel), ['shelves', 'reviews']);
  assert.equal((Book.rel as Record<string, unknown>).reviews, Review.rel.book.reverse);
});

test('a symmetrical many-to-many has a handle and no reverse one; a self relation has both', () => {
  const registry = createRegistry();
  const Person = model(
    'club.Person',
    {
      friends: f.manyToMany('self'),
      follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
      parent: f.foreignKey('self', { onDelete: 'cascade', nullable: true, relatedName: 'children' }),
    },
    { registry },
  );
  assert.deepEqual(Object.keys(Person.rel), ['friends', 'follows', 'parent', 'followers', 'children']);
  assert.equal(Person.rel.friends.reverse, undefined);
  assert.equal(Person.rel.follows.reverse, Person.rel.followers);
  assert.equal(Person.rel.parent.reverse, Person.rel.children);
});

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('of(db, row) manages the links as related(row, name, Model) does, from either side', async (t) => {
    const { db, Book, Tag, dune, emma } = await setup(t);
    const tags = Book.rel.tags.of(db, dune);
    assert.equal(await tags.add('sf', 'space'), 2);
    assert.deepEqual(await tags.set(['sf', 'classic']), { added: 1, removed: 1 });
    assert.deepEqual(
      (await tags.all()).map((tag) => tag.slug),
      ['classic', 'sf'],
    );
    assert.deepEqual(
      (await query(db, Book).related(dune, 'tags', Tag).all()).map((tag) => tag.slug),
      ['classic', 'sf'],
    );
    // The reverse side, by key.
    const sf = Book.rel.tags.reverse.of(db, 'sf');
    assert.equal(await sf.add(emma.id), 1);
    assert.deepEqual(
      (await sf.all()).map((book) => book.title),
      ['Dune', 'Emma'],
    );
    assert.equal(await Book.rel.tags.of(db, emma.id).count(), 1);
    assert.equal(await sf.clear(), 2);
    assert.equal(await tags.remove('classic'), 1);
    assert.equal(await tags.count(), 0);
    // Bad rows are refused before any SQL, as with related().
    const counter = countQueries(db);
    assert.throws(
      () => Book.rel.tags.of(counter.db, { title: 'no key' } as never),
      (e) =>
        e instanceof QueryError &&
        e.message ===
          'cat.Book.rel.tags.of: give a cat.Book row or its primary key (id), got {"title":"no key"}',
    );
    await assert.rejects(Book.rel.tags.of(counter.db, dune).add(3 as never), QueryError);
    assert.equal(counter.count, 0);
  });

  test('of(db, row, { throughDefaults }) fills a through model, as related() does', async (t) => {
    const { db, Shelf, Placement, dune } = await setup(t);
    const hall = await query(db, Shelf).create({ name: 'Hall' });
    await assert.rejects(Shelf.rel.books.of(db, hall).add(dune), /cat\.Placement has required fields/);
    assert.equal(await Shelf.rel.books.of(db, hall, { throughDefaults: { position: 3 } }).add(dune), 1);
    assert.deepEqual(await query(db, Placement).values('position'), [{ position: 3 }]);
  });

  test('prefetchRelated(handle) loads as prefetchRelated(name, Model), one query per relation', async (t) => {
    const { db, Author, Book, Review, Profile, dune, emma, ada } = await setup(t);
    await Book.rel.tags.of(db, dune).add('sf', 'space');
    await Book.rel.tags.of(db, emma).add('classic');
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: dune.id, rating: 2 },
    ]);
    await query(db, Profile).create({ authorId: ada.id, bio: 'Analyst' });
    const counter = countQueries(db);
    const authors = await query(counter.db, Author)
      .prefetchRelated(Profile.rel.author.reverse)
      .prefetchRelated(Book.rel.author.reverse, (books) =>
        books
          .filter({ pages__isNull: false })
          .prefetchRelated(Book.rel.tags)
          .prefetchRelated(Review.rel.book.reverse, (reviews) => reviews.filter({ rating__gte: 4 })),
      )
      .all();
    assert.equal(counter.count, 5);
    assert.deepEqual(
      authors.map((a) => [
        a.name,
        a.profile?.bio ?? null,
        a.bookSet.map((b) => [b.title, b.tags.map((tag) => tag.slug), b.reviews.map((r) => r.rating)]),
      ]),
      [
        ['Ada', 'Analyst', [['Dune', ['sf', 'space'], [5]]]],
        ['Bob', null, []],
      ],
    );
    // The same as by name.
    const byName = await query(db, Book).prefetchRelated('tags', Book.rel.tags.target).all();
    const byHandle = await query(db, Book).prefetchRelated(Book.rel.tags).all();
    assert.deepEqual(byHandle, byName);
  });

  test('selectRelated(handle) joins the key, with paths by name beside it', async (t) => {
    const { db, Book, Review, dune } = await setup(t);
    await query(db, Review).create({ bookId: dune.id, rating: 4 });
    const counter = countQueries(db);
    const [review] = await query(counter.db, Review)
      .selectRelated(Review.rel.book, 'book__author__country')
      .all();
    assert.equal(counter.count, 1);
    assert.deepEqual([review!.book.title, review!.book.author.country.name], ['Dune', 'United Kingdom']);
    const books = await query(db, Book).selectRelated(Book.rel.editor).orderBy('title').all();
    assert.deepEqual(
      books.map((b) => b.editor?.name ?? null),
      [null, 'Bob', null],
    );
  });

  test('a handle of another model, or of the wrong kind, is refused before any SQL', async (t) => {
    const { db, Author, Book, Tag } = await setup(t);
    const counter = countQueries(db);
    assert.throws(
      () => query(counter.db, Author).prefetchRelated(Book.rel.tags as never),
      (e) =>
        e instanceof QueryError &&
        e.message ===
          'prefetchRelated: cat.Book.rel.tags is a relation of cat.Book, not of cat.Author; give one of cat.Author.rel',
    );
    assert.throws(
      () => query(counter.db, Book).selectRelated(Book.rel.tags as never),
      /selectRelated: cat\.Book\.rel\.tags is not a foreign key or one-to-one of cat\.Book; load it with prefetchRelated\(cat\.Book\.rel\.tags\)/,
    );
    assert.throws(
      () => query(counter.db, Book).prefetchRelated(Book.rel.author as never),
      /prefetchRelated: cat\.Book\.rel\.author is a foreign key of cat\.Book; join it with selectRelated\(cat\.Book\.rel\.author\)/,
    );
    assert.throws(
      () => query(counter.db, Book).prefetchRelated(Book.rel.tags, Tag as never),
      /the second argument should be a function refining the query/,
    );
    // A misspelled handle is undefined in JavaScript: named as such.
    assert.throws(
      () => query(counter.db, Book).prefetchRelated((Book.rel as unknown as Record<string, never>).tagz!),
      /prefetchRelated: name the relation by a handle \(cat\.Book\.rel\.…\) or by its name and model, got undefined/,
    );
    assert.throws(
      () => query(counter.db, Book).selectRelated((Book.rel as unknown as Record<string, never>).autor!),
      /selectRelated: relation names should be non-empty strings, got undefined/,
    );
    assert.equal(counter.count, 0);
  });

  test('a handle resolves its join table and prefetch once; queries reuse them', async (t) => {
    const { db, Book, Tag } = await setup(t);
    const handle = Book.rel.tags;
    assert.equal(handle.join, handle.join);
    assert.equal(handle.prefetch, handle.prefetch);
    assert.equal(handle.prefetch.model, Tag);
    // Without a refining function, a query holds the handle's own description.
    const sets = [query(db, Book).prefetchRelated(handle), query(db, Book).prefetchRelated(handle)];
    const rows = await Promise.all(sets.map((set) => set.all()));
    assert.deepEqual(rows[0], rows[1]);
  });

  test('a symmetrical many-to-many through its handle links both ways', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const Person = model(
      'club.Person',
      { name: f.string({ maxLength: 20 }), friends: f.manyToMany('self') },
      { registry: createRegistry(), ordering: ['name'] },
    );
    await createTables(db, [Person]);
    const [ann, ben] = await query(db, Person).bulkCreate([{ name: 'Ann' }, { name: 'Ben' }]);
    assert.equal(await Person.rel.friends.of(db, ann!).add(ben!), 1);
    const people = await query(db, Person).prefetchRelated(Person.rel.friends).all();
    assert.deepEqual(
      people.map((p) => [p.name, p.friends.map((x) => x.name)]),
      [
        ['Ann', ['Ben']],
        ['Ben', ['Ann']],
      ],
    );
  });
});
