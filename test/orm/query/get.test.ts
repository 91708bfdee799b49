/**
 * get() by plain `=` conditions on a fresh query takes a reused plan: it must answer exactly
 * like the general path, in one statement, and leave every other kind of condition to it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plannedSignatures } from '../../../src/orm/query/direct-get.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await seeded(db)) };
  }

  test('a get by key answers like a filtered get, in one statement, every time', async (t) => {
    const { db, Book, Author, ada, dune } = await setup(t);
    const counter = countQueries(db);
    for (let i = 0; i < 3; i++) {
      const direct = await query(counter.db, Book).get({ id: dune.id });
      assert.deepEqual(direct, await query(db, Book).filter({ id: dune.id }).get());
    }
    assert.equal(counter.count, 3);
    // Several keys, and a unique field instead of the primary key.
    assert.equal((await query(db, Book).get({ authorId: ada.id, title: 'Dune' })).id, dune.id);
    assert.equal((await query(db, Author).get({ email: 'ada@example.com' })).id, ada.id);
  });

  test('no row, several rows and mismatched values throw as on the general path', async (t) => {
    const { db, Book, Author, ada, notes } = await setup(t);
    await assert.rejects(query(db, Book).get({ isbn: '9780000000999' }), { name: 'NotFoundError' });
    await assert.rejects(query(db, Book).get({ authorId: ada.id }), { name: 'MultipleFoundError' });
    await assert.rejects(query(db, Author).get({ id: 999_999 }), { name: 'NotFoundError' });
    // The same keys with another shape of value (null, a list) go the general way.
    assert.equal((await query(db, Book).get({ pages: null })).id, notes.id);
    await assert.rejects(query(db, Book).get({ nope: 1 } as never), { name: 'QueryError' });
    await assert.rejects(query(db, Book).get({ id: undefined } as never), { name: 'QueryError' });
    // A key spelling two planned keys with the separator is an unknown key, not their plan.
    await query(db, Book).get({ authorId: ada.id, title: 'Dune' });
    await assert.rejects(query(db, Book).get({ 'authorId|title': 'Dune' } as never), { name: 'QueryError' });
  });

  test('lookups, paths and filtered or loaded queries keep the general path', async (t) => {
    const { db, Book, Author, dune, notes } = await setup(t);
    assert.equal((await query(db, Book).get({ title__startsWith: 'Not' })).id, notes.id);
    assert.equal((await query(db, Book).get({ author__lastName: 'Babbage' })).title, 'The Engine');
    const loaded = await query(db, Book).selectRelated('author').get({ id: dune.id });
    assert.equal(loaded.author.lastName, 'Lovelace');
    await assert.rejects(query(db, Book).filter({ status: 'draft' }).get({ id: dune.id }), {
      name: 'NotFoundError',
    });
    assert.equal((await query(db, Author).get({ lastName: 'Lovelace' })).firstName, 'Ada');
  });
});

forEachDialect((_dialect, open) => {
  test('a key the column can never hold (past its range, not a number) matches no row instead of failing', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Author, ada } = await seeded(db);
    await assert.rejects(query(db, Author).get({ id: 1e20 }), { name: 'NotFoundError' });
    await assert.rejects(query(db, Author).get({ id: 2.5 }), { name: 'NotFoundError' });
    await assert.rejects(query(db, Author).get({ id: 'abc' as never }), { name: 'NotFoundError' });
    await assert.rejects(query(db, Book).get({ pages: 2 ** 31 }), { name: 'NotFoundError' });
    // Such a value first does not keep the key from its plan.
    assert.equal((await query(db, Author).get({ id: ada.id })).id, ada.id);
    assert.ok(plannedSignatures(Author).includes(`${db.dialect}|id`));
    assert.deepEqual(
      (
        await query(db, Author)
          .filter({ id__in: [ada.id, 1e20, -(2 ** 60)] })
          .all()
      ).map((a) => a.id),
      [ada.id],
    );
    assert.equal(
      await query(db, Author)
        .filter({ id__in: [1e20] })
        .count(),
      0,
    );
    assert.equal(await query(db, Author).exclude({ id: 1e20 }).count(), 2);
  });
});
