/**
 * delete() honours onDelete: cascade, protect, restrict, setNull and setDefault, decided by the
 * ORM before anything is deleted, and removes many-to-many links.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { ForeignKeyViolationError } from '../../../src/orm/errors.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { ProtectedError, QueryError, RestrictedError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { count, forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('cascade deletes the rows pointing at the deleted ones, level by level', async (t) => {
    const { db, Author, Book, Review, Profile, ada, dune, emma, engine } = await setup(t);
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: emma.id, rating: 4 },
      { bookId: engine.id, rating: 3 },
    ]);
    await query(db, Profile).create({ authorId: ada.id, bio: 'x' });
    const counter = countQueries(db);
    assert.equal(await query(counter.db, Author).filter({ name: 'Ada' }).delete(), 1);
    assert.deepEqual(
      (await query(db, Book).values('title')).map((b) => b.title),
      ['The Engine'],
    );
    assert.deepEqual(
      (await query(db, Review).values('rating')).map((r) => r.rating),
      [3],
    );
    assert.equal(await query(db, Profile).count(), 0);
    // One query per relation and level, whatever the number of rows.
    const cost = async (name: string, books: number) => {
      const author = await query(db, Author).create({ name, countryId: 'gb' });
      const made = await query(db, Book).bulkCreate(
        Array.from({ length: books }, (_, i) => ({ title: `${name} ${i}`, authorId: author.id })),
      );
      await query(db, Review).bulkCreate(made.map((book) => ({ bookId: book.id, rating: 1 })));
      counter.reset();
      assert.equal(await query(counter.db, Author).filter({ id: author.id }).delete(), 1);
      return counter.count;
    };
    assert.equal(await cost('Cy', 1), await cost('Di', 30));
    assert.equal(await query(db, Review).count(), 1);
  });

  test('setNull and setDefault update the rows pointing at the deleted ones', async (t) => {
    const { db, Author, Book, Country, ada, bob } = await setup(t);
    assert.equal(await query(db, Author).filter({ id: bob.id }).delete(), 1);
    // Emma's editor was Bob; Bob's own book was deleted with him.
    assert.deepEqual(await query(db, Book).values('title', 'editorId'), [
      { title: 'Dune', editorId: null },
      { title: 'Emma', editorId: null },
    ]);
    assert.equal(await query(db, Country).filter({ code: 'gb' }).delete(), 1);
    assert.equal((await query(db, Author).get({ id: ada.id })).countryId, 'zz');
  });

  test('protect refuses before anything is deleted, also through a cascade, naming the rows in the way', async (t) => {
    const { db, Author, Book, Loan, Tag, dune, emma } = await setup(t);
    const [first, second] = await query(db, Loan).bulkCreate([
      { bookId: dune.id, borrower: 'Cy' },
      { bookId: dune.id, borrower: 'Di' },
      { bookId: emma.id, borrower: 'Ed' },
    ]);
    await query(db, Book).related(dune, 'tags', Tag).add('sf');
    await assert.rejects(query(db, Book).filter({ id: dune.id }).delete(), (e) => {
      assert.ok(e instanceof ProtectedError);
      assert.ok(!(e instanceof RestrictedError));
      assert.equal(e.code, 'VOLT_ORM_PROTECTED');
      assert.deepEqual(e.blockers, [
        { model: 'cat.Loan', field: 'book', count: 2, keys: [first!.id, second!.id] },
      ]);
      assert.match(
        e.message,
        /Cannot delete cat\.Book rows: they are protected by 2 cat\.Loan rows through cat\.Loan\.book/,
      );
      return true;
    });
    // Reached through a cascade (Ada → her books → their loans): nothing at all is deleted.
    await assert.rejects(query(db, Author).filter({ name: 'Ada' }).delete(), (e) => {
      assert.ok(e instanceof ProtectedError);
      assert.deepEqual(e.blockers[0]?.count, 3);
      return true;
    });
    assert.equal(await query(db, Author).count(), 2);
    assert.equal(await query(db, Book).count(), 3);
    assert.equal(await query(db, Book).related(dune, 'tags', Tag).count(), 1);
    await query(db, Loan).delete();
    assert.equal(await query(db, Author).filter({ name: 'Ada' }).delete(), 1);
  });

  test('restrict refuses unless the restricting rows are deleted by the same call', async (t) => {
    const { db, Author, Book, Chapter, ada, bob, dune, engine } = await setup(t);
    // A chapter of Ada's book co-written by Ada: deleting Ada deletes the chapter too.
    await query(db, Chapter).create({ bookId: dune.id, coAuthorId: ada.id });
    // A chapter of Bob's book co-written by Ada: it stays, so it is in the way.
    const kept = await query(db, Chapter).create({ bookId: engine.id, coAuthorId: ada.id });
    await assert.rejects(query(db, Author).filter({ id: ada.id }).delete(), (e) => {
      assert.ok(e instanceof RestrictedError);
      assert.equal(e.code, 'VOLT_ORM_RESTRICTED');
      assert.deepEqual(e.blockers, [{ model: 'cat.Chapter', field: 'coAuthor', count: 1, keys: [kept.id] }]);
      return true;
    });
    assert.equal(await query(db, Book).count(), 3);
    // Deleting both authors deletes every book and so every chapter: nothing is in the way.
    assert.equal(
      await query(db, Author)
        .filter({ id__in: [ada.id, bob.id] })
        .delete(),
      2,
    );
    assert.equal(await query(db, Chapter).count(), 0);
  });

  test('many-to-many links of deleted rows are removed, from either side', async (t) => {
    const { db, Book, Tag, Shelf, dune, emma } = await setup(t);
    await query(db, Book).related(dune, 'tags', Tag).add('sf', 'space');
    await query(db, Book).related(emma, 'tags', Tag).add('sf');
    const hall = await query(db, Shelf).create({ name: 'Hall' });
    await query(db, Shelf)
      .related(hall, 'books', Book, { throughDefaults: { position: 1 } })
      .add(dune, emma);
    assert.equal(await query(db, Book).filter({ id: dune.id }).delete(), 1);
    assert.equal(await count(db, 'cat_book_tags'), 1);
    assert.equal(await count(db, 'cat_placement'), 1);
    // Only cascades below (join rows, placements): the tables' own actions do it in one statement.
    const counter = countQueries(db);
    assert.equal(await query(counter.db, Tag).filter({ slug: 'sf' }).delete(), 1);
    assert.equal(await count(db, 'cat_book_tags'), 0);
    assert.equal(await query(counter.db, Shelf).delete(), 1);
    assert.equal(await count(db, 'cat_placement'), 0);
    assert.equal(counter.count, 2);
  });

  test('a delete returns how many rows of the model went, and refuses slices', async (t) => {
    const { db, Author, Book, Country } = await setup(t);
    assert.equal(await query(db, Book).filter({ title: 'nothing' }).delete(), 0);
    assert.equal(await query(db, Author).delete(), 2);
    assert.equal(await query(db, Book).count(), 0);
    assert.equal(await query(db, Country).filter({ code: 'zz' }).delete(), 1);
    await assert.rejects(query(db, Book).limit(1).delete(), QueryError);
  });

  test('a refused delete inside a transaction leaves it usable', async (t) => {
    const { db, Book, Loan, dune } = await setup(t);
    await query(db, Loan).create({ bookId: dune.id, borrower: 'Cy' });
    await db.transaction(async (tx) => {
      await assert.rejects(query(tx, Book).filter({ id: dune.id }).delete(), ProtectedError);
      assert.equal(await query(tx, Book).filter({ title: 'Emma' }).delete(), 1);
    });
    assert.equal(await query(db, Book).count(), 2);
  });

  test('the database declares the same actions, as a backstop for deletes outside the ORM', async (t) => {
    const { db, Author, Book, Loan, ada, bob, dune } = await setup(t);
    const p = db.dialect === 'sqlite' ? '?' : '$1';
    await db.run(`delete from ${db.quoteIdentifier('cat_author')} where id = ${p}`, [bob.id]);
    assert.deepEqual(await query(db, Book).values('title', 'editorId'), [
      { title: 'Dune', editorId: null },
      { title: 'Emma', editorId: null },
    ]);
    await query(db, Loan).create({ bookId: dune.id, borrower: 'Cy' });
    await assert.rejects(
      db.run(`delete from ${db.quoteIdentifier('cat_author')} where id = ${p}`, [ada.id]),
      ForeignKeyViolationError,
    );
    assert.equal(await query(db, Author).count(), 1);
  });

  test('a cascade through the same model (a tree) deletes every level and counts them', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const Category = model(
      'tree.Category',
      {
        name: f.string({ maxLength: 50 }),
        parent: f.foreignKey('self', { onDelete: 'cascade', nullable: true, relatedName: 'children' }),
      },
      { registry: createRegistry() },
    );
    await createTables(db, [Category]);
    const categories = query(db, Category);
    const root = await categories.create({ name: 'root' });
    const [a, b] = await categories.bulkCreate([
      { name: 'a', parentId: root.id },
      { name: 'b', parentId: root.id },
    ]);
    await categories.bulkCreate([
      { name: 'a1', parentId: a!.id },
      { name: 'b1', parentId: b!.id },
    ]);
    const other = await categories.create({ name: 'other' });
    assert.equal(await categories.filter({ id: root.id }).delete(), 5);
    assert.deepEqual(await categories.values('id'), [{ id: other.id }]);
  });
});
