/**
 * QuerySet: filters and lookups, ordering, slicing and the terminal methods, on both dialects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await seeded(db)) };
  }

  test('each lookup selects the right rows', async (t) => {
    const { db, Book, ada, bob } = await setup(t);
    const books = query(db, Book);
    const titles = async (set: ReturnType<typeof books.filter>) =>
      (await set.orderBy('title').values('title')).map((r) => r.title);
    assert.deepEqual(await titles(books.filter({ title: 'Dune' })), ['Dune']);
    assert.deepEqual(await titles(books.filter({ title__exact: 'dune' })), []);
    assert.deepEqual(await titles(books.filter({ title__iexact: 'dune' })), ['Dune']);
    assert.deepEqual(await titles(books.filter({ title__contains: 'Engine' })), ['The Engine']);
    assert.deepEqual(await titles(books.filter({ title__contains: 'engine' })), []);
    assert.deepEqual(await titles(books.filter({ title__icontains: 'ENGINE' })), ['The Engine']);
    // LIKE wildcards in values match themselves.
    assert.deepEqual(await titles(books.filter({ title__contains: '%_' })), ['Notes 100%_done']);
    assert.deepEqual(await titles(books.filter({ title__icontains: '_' })), ['Notes 100%_done']);
    assert.deepEqual(await titles(books.filter({ title__startsWith: 'The' })), ['The Engine']);
    assert.deepEqual(await titles(books.filter({ title__startsWith: 'the' })), []);
    assert.deepEqual(await titles(books.filter({ title__endsWith: 'done' })), ['Notes 100%_done']);
    assert.deepEqual(await titles(books.filter({ authorId: ada.id })), ['Dune', 'Notes 100%_done']);
    assert.deepEqual(await titles(books.filter({ authorId__in: [bob.id] })), ['The Engine']);
    assert.deepEqual(await titles(books.filter({ authorId__in: [] })), []);
    assert.deepEqual(await titles(books.filter({ pages__gt: 90 })), ['Dune']);
    assert.deepEqual(await titles(books.filter({ pages__gte: 90 })), ['Dune', 'The Engine']);
    assert.deepEqual(await titles(books.filter({ pages__lt: 412 })), ['The Engine']);
    assert.deepEqual(await titles(books.filter({ pages__lte: 412 })), ['Dune', 'The Engine']);
    assert.deepEqual(await titles(books.filter({ pages__range: [50, 100] })), ['The Engine']);
    assert.deepEqual(await titles(books.filter({ pages__isNull: true })), ['Notes 100%_done']);
    assert.deepEqual(await titles(books.filter({ editorId: null })), ['Dune', 'The Engine']);
    // Decimals compare as numbers on both dialects ('19.50' > '9.90').
    assert.deepEqual(await titles(books.filter({ price__gt: '10' })), ['Notes 100%_done']);
    assert.deepEqual(await titles(books.filter({ price__range: ['5', '10'] })), ['Dune']);
  });

  test('filter chains AND, several objects OR, exclude negates', async (t) => {
    const { db, Book, ada } = await setup(t);
    const books = query(db, Book);
    assert.equal(await books.filter({ authorId: ada.id }).filter({ status: 'published' }).count(), 1);
    assert.equal(await books.filter({ status: 'draft' }, { pages__gt: 100 }).count(), 2);
    assert.equal(await books.exclude({ status: 'draft' }).count(), 2);
    assert.equal(await books.exclude({ authorId: ada.id }, { pages__lt: 100 }).count(), 0);
  });

  test('a QuerySet is immutable', async (t) => {
    const { db, Book } = await setup(t);
    const all = query(db, Book);
    const some = all.filter({ status: 'published' });
    all.limit(1);
    assert.equal(await all.count(), 3);
    assert.equal(await some.count(), 2);
  });

  test('ordering: meta.ordering by default, orderBy replaces it; limit and offset', async (t) => {
    const { db, Author, Book } = await setup(t);
    assert.deepEqual(
      (await query(db, Author).values('lastName')).map((r) => r.lastName),
      ['Babbage', 'Lovelace'],
    );
    const byPrice = query(db, Book).orderBy('-price');
    assert.deepEqual(
      (await byPrice.values('title')).map((r) => r.title),
      ['Notes 100%_done', 'Dune', 'The Engine'],
    );
    assert.deepEqual(
      (await byPrice.offset(1).values('title')).map((r) => r.title),
      ['Dune', 'The Engine'],
    );
    assert.deepEqual(
      (await byPrice.limit(1).offset(1).values('title')).map((r) => r.title),
      ['Dune'],
    );
    assert.equal(await byPrice.limit(2).count(), 2);
    assert.equal((await byPrice.first())?.title, 'Notes 100%_done');
    assert.equal(await query(db, Book).filter({ title: 'nope' }).first(), undefined);
    assert.throws(() => byPrice.limit(-1), /limit should be a whole number/);
  });

  test('get() returns one row or throws NotFoundError / MultipleFoundError', async (t) => {
    const { db, Book, dune } = await setup(t);
    const books = query(db, Book);
    assert.deepEqual(await books.get({ id: dune.id }), dune);
    await assert.rejects(books.get({ title: 'nope' }), { name: 'NotFoundError' });
    await assert.rejects(books.get(), { name: 'MultipleFoundError' });
    assert.equal(await books.filter({ title: 'nope' }).exists(), false);
    assert.equal(await books.exists(), true);
  });

  test('get(), first() and exists() of a sliced query keep its order and its slice', async (t) => {
    const { db, Book } = await setup(t);
    const byTitle = query(db, Book).orderBy('title');
    assert.equal((await byTitle.limit(1).get()).title, 'Dune');
    assert.equal((await byTitle.offset(1).limit(1).get()).title, 'Notes 100%_done');
    assert.equal((await query(db, Book).orderBy('-title').offset(2).get()).title, 'Dune');
    await assert.rejects(byTitle.offset(1).get(), { name: 'MultipleFoundError' });
    await assert.rejects(byTitle.limit(0).get(), { name: 'NotFoundError' });
    assert.equal(await byTitle.limit(0).exists(), false);
    assert.equal(await byTitle.limit(0).count(), 0);
    assert.equal(await byTitle.limit(0).first(), undefined);
    assert.equal((await byTitle.offset(1).first())?.title, 'Notes 100%_done');
    assert.equal(await byTitle.offset(2).exists(), true);
    assert.equal(await byTitle.offset(3).exists(), false);
  });

  test('create() validates, fills defaults and timestamps, and returns the stored row', async (t) => {
    const { db, Book, notes, ada } = await setup(t);
    assert.equal(notes.status, 'draft');
    assert.equal(notes.views, 0);
    assert.equal(notes.pages, null);
    assert.equal(notes.price, '19.50');
    assert.ok(notes.created instanceof Date);
    assert.match(notes.id, /^[0-9a-f-]{36}$/);
    await assert.rejects(
      query(db, Book).create({ title: 'x'.repeat(201), isbn: 'abc', price: '1', authorId: ada.id } as never),
      (error: { name: string; errors: { loc: unknown[]; type: string }[] }) => {
        assert.equal(error.name, 'ValidationError');
        assert.deepEqual(
          error.errors.map((e) => [e.loc, e.type]),
          [
            [['title'], 'string_too_long'],
            [['isbn'], 'string_pattern_mismatch'],
          ],
        );
        return true;
      },
    );
    assert.equal(await query(db, Book).count(), 3);
  });

  test('a unique violation on create is a ValidationError on the field', async (t) => {
    const { db, Author } = await setup(t);
    await assert.rejects(
      query(db, Author).create({
        firstName: 'A',
        lastName: 'B',
        email: 'ada@example.com',
        passwordHash: 'x',
      }),
      (error: { name: string; errors: unknown[] }) => {
        assert.equal(error.name, 'ValidationError');
        assert.deepEqual(error.errors, [
          { loc: ['email'], msg: 'Author with this email already exists', type: 'unique' },
        ]);
        return true;
      },
    );
  });

  test('bulkCreate() is all or nothing', async (t) => {
    const { db, Tag } = await setup(t);
    const tags = query(db, Tag);
    const made = await tags.bulkCreate([
      { slug: 'a', name: 'A' },
      { slug: 'b', name: 'B' },
    ]);
    assert.deepEqual(made, [
      { slug: 'a', name: 'A' },
      { slug: 'b', name: 'B' },
    ]);
    await assert.rejects(
      tags.bulkCreate([
        { slug: 'c', name: 'C' },
        { slug: 'a', name: 'again' },
      ]),
      {
        name: 'ValidationError',
      },
    );
    await assert.rejects(
      tags.bulkCreate([
        { slug: 'd', name: 'D' },
        { slug: 'no spaces', name: 'x' },
      ]),
      (error: { errors: { loc: unknown[] }[] }) => {
        assert.deepEqual(error.errors[0]!.loc, [1, 'slug']);
        return true;
      },
    );
    assert.equal(await tags.count(), 2);
  });

  test('update() and delete() act on the matching rows and return counts', async (t) => {
    const { db, Book, Review, dune } = await setup(t);
    const books = query(db, Book);
    assert.equal(await books.filter({ status: 'draft' }).update({ status: 'published', pages: 10 }), 1);
    assert.equal(await books.filter({ status: 'published' }).count(), 3);
    const after = await books.get({ id: dune.id });
    assert.ok(after.updated.getTime() >= dune.updated.getTime());
    await assert.rejects(books.update({ pages: 0 }), { name: 'ValidationError' });
    await assert.rejects(books.update({ isbn: '9780000000001' }), { name: 'ValidationError' });
    await assert.rejects(books.limit(1).update({ pages: 1 }), /limit or offset/);
    await query(db, Review).create({ bookId: dune.id, rating: 5 });
    assert.equal(await books.filter({ pages__lt: 100 }).delete(), 2);
    assert.equal(await books.count(), 1);
    assert.equal(await books.delete(), 1);
    assert.equal(await query(db, Review).count(), 0);
  });

  test('update() with no field to set is refused, naming the model, and changes nothing', async (t) => {
    const { db, Book, dune } = await setup(t);
    const books = query(db, Book);
    const before = await books.get({ id: dune.id });
    for (const values of [{}, { pages: undefined }] as never[]) {
      await assert.rejects(books.filter({ id: dune.id }).update(values), (error: Error) => {
        assert.equal(error.name, 'QueryError');
        assert.match(error.message, /update\(\) on \w+\.Book has no field to set/);
        return true;
      });
    }
    // Not even the autoNow timestamp moved.
    assert.deepEqual(await books.get({ id: dune.id }), before);
  });
});
