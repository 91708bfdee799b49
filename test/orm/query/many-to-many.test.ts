/**
 * Many-to-many managers: reading and changing the links of one row, through the auto join
 * table and through a model, from both sides.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError, ValidationError } from '../../../src/orm/query/errors.ts';
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

  test('add links rows or keys, once: adding a linked row again is no error and no duplicate', async (t) => {
    const { db, Book, Tag, dune, tags } = await setup(t);
    const duneTags = query(db, Book).related(dune, 'tags', Tag);
    assert.equal(await duneTags.add(tags[1]!, 'space'), 2);
    assert.equal(await duneTags.add('sf', 'space', 'sf'), 0);
    assert.equal(await duneTags.add('classic', 'sf'), 1);
    assert.deepEqual(
      (await duneTags.all()).map((tag) => tag.slug),
      ['classic', 'sf', 'space'],
    );
    assert.equal(await duneTags.count(), 3);
    assert.equal(await count(db, 'cat_book_tags'), 3);
    // By primary key of the source row too.
    assert.equal(await query(db, Book).related(dune.id, 'tags', Tag).count(), 3);
  });

  test('add refuses a key with no row, linking nothing', async (t) => {
    const { db, Book, Tag, dune } = await setup(t);
    const duneTags = query(db, Book).related(dune, 'tags', Tag);
    await assert.rejects(duneTags.add('sf', 'poetry'), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.errors, [
        { loc: ['tags'], msg: 'Tag "poetry" does not exist', type: 'foreign_key' },
      ]);
      return true;
    });
    assert.equal(await duneTags.count(), 0);
    const ghost = query(db, Book).related(9999, 'tags', Tag);
    await assert.rejects(ghost.add('sf'), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.errors, [{ loc: [], msg: 'Book 9999 does not exist', type: 'foreign_key' }]);
      return true;
    });
    assert.throws(() => query(db, Book).related(dune, 'labels' as never, Tag), QueryError);
    assert.throws(() => query(db, Book).related(dune, 'tags', Book), /links cat\.Tag rows, not cat\.Book/);
    await assert.rejects(duneTags.add({ name: 'no key' } as never), QueryError);
  });

  test('remove, clear and set, which changes only the difference in one transaction', async (t) => {
    const { db, Book, Tag, dune, emma } = await setup(t);
    const duneTags = query(db, Book).related(dune, 'tags', Tag);
    await duneTags.add('classic', 'sf', 'space');
    await query(db, Book).related(emma, 'tags', Tag).add('sf');
    assert.equal(await duneTags.remove('classic', 'poetry'), 1);
    const counter = countQueries(db);
    const changed = await query(counter.db, Book).related(dune, 'tags', Tag).set(['space', 'classic']);
    assert.deepEqual(changed, { added: 1, removed: 1 });
    assert.deepEqual(
      (await duneTags.all()).map((tag) => tag.slug),
      ['classic', 'space'],
    );
    assert.deepEqual(await duneTags.set(['space', 'classic']), { added: 0, removed: 0 });
    assert.equal(await duneTags.clear(), 2);
    assert.equal(await duneTags.count(), 0);
    // Emma's link is untouched.
    assert.equal(await query(db, Book).related(emma, 'tags', Tag).count(), 1);
  });

  test('the reverse side manages the same links', async (t) => {
    const { db, Book, Tag, dune, emma, engine } = await setup(t);
    const sfBooks = query(db, Tag).related('sf', 'bookSet', Book);
    assert.equal(await sfBooks.add(dune, emma.id), 2);
    assert.deepEqual(
      (await sfBooks.all()).map((b) => b.title),
      ['Dune', 'Emma'],
    );
    assert.deepEqual(
      (await query(db, Book).related(dune, 'tags', Tag).all()).map((tag) => tag.slug),
      ['sf'],
    );
    assert.deepEqual(await sfBooks.set([engine]), { added: 1, removed: 2 });
    assert.equal(await query(db, Book).related(engine, 'tags', Tag).count(), 1);
  });

  test('a through model: rows get throughDefaults; without its required fields add is refused', async (t) => {
    const { db, Book, Shelf, Placement, dune, engine } = await setup(t);
    const hall = await query(db, Shelf).create({ name: 'Hall' });
    const counter = countQueries(db);
    await assert.rejects(
      query(counter.db, Shelf).related(hall, 'books', Book).add(dune),
      (e) =>
        e instanceof QueryError &&
        /cat\.Placement has required fields \(position\) besides its two keys: pass them as Shelf\.rel\.books\.of\(db, row, \{ throughDefaults: \{ … \} \}\) \(or related\(row, 'books', Model, \{ throughDefaults/.test(
          e.message,
        ),
    );
    assert.equal(counter.count, 0);
    const books = query(db, Shelf).related(hall, 'books', Book, { throughDefaults: { position: 7 } });
    assert.equal(await books.add(dune, engine), 2);
    assert.equal(await books.add(dune), 0);
    assert.deepEqual(
      (await query(db, Placement).orderBy('bookId').values('bookId', 'position')).map((p) => p.position),
      [7, 7],
    );
    assert.deepEqual(await books.set([engine]), { added: 0, removed: 1 });
    // From the other side, through the same model.
    const shelves = query(db, Book).related(engine, 'shelves', Shelf);
    assert.deepEqual(
      (await shelves.all()).map((s) => s.name),
      ['Hall'],
    );
    assert.equal(await shelves.clear(), 1);
    assert.equal(await query(db, Placement).count(), 0);
  });

  test('a failed add inside a transaction leaves it usable', async (t) => {
    const { db, Book, Tag, dune } = await setup(t);
    await db.transaction(async (tx) => {
      const duneTags = query(tx, Book).related(dune, 'tags', Tag);
      await assert.rejects(duneTags.add('poetry'), ValidationError);
      // A missing source row fails in the database: the savepoint keeps the transaction going.
      await assert.rejects(query(tx, Book).related(9999, 'tags', Tag).add('sf'), ValidationError);
      assert.equal(await duneTags.add('sf'), 1);
    });
    assert.equal(await query(db, Book).related(dune, 'tags', Tag).count(), 1);
  });

  test('a many-to-many to its own model links both ways through from/to columns', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const Person = model(
      'club.Person',
      {
        name: f.string({ maxLength: 50 }),
        follows: f.manyToMany('self', { symmetrical: false, relatedName: 'followers' }),
      },
      { registry: createRegistry(), ordering: ['name'] },
    );
    await createTables(db, [Person]);
    const [ann, ben, cat] = await query(db, Person).bulkCreate([
      { name: 'Ann' },
      { name: 'Ben' },
      { name: 'Cat' },
    ]);
    assert.equal(await query(db, Person).related(ann!, 'follows', Person).add(ben!, cat!), 2);
    assert.equal(await query(db, Person).related(ben!, 'follows', Person).add(cat!), 1);
    assert.deepEqual(
      (await query(db, Person).related(cat!, 'followers', Person).all()).map((p) => p.name),
      ['Ann', 'Ben'],
    );
    const people = await query(db, Person)
      .prefetchRelated('follows', Person)
      .prefetchRelated('followers', Person)
      .all();
    assert.deepEqual(
      people.map((p) => [p.name, p.follows.map((x) => x.name), p.followers.map((x) => x.name)]),
      [
        ['Ann', ['Ben', 'Cat'], []],
        ['Ben', ['Cat'], ['Ann']],
        ['Cat', [], ['Ann', 'Ben']],
      ],
    );
    assert.equal(await query(db, Person).filter({ name: 'Ben' }).delete(), 1);
    assert.equal(await count(db, 'club_person_follows'), 1);
  });
});
