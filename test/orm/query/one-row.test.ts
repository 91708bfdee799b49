/**
 * updateOne, deleteOne and refresh: one row in one round trip when a unique key names it,
 * the row back from the statement itself, and "not found" or "several" as typed errors that
 * change nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipleFoundError, NotFoundError, ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { countQueries } from '../../../src/testing/queries.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('updateOne by key is one statement and returns the row as it is now', async (t) => {
    const { db, Book, dune } = await setup(t);
    const counter = countQueries(db);
    const updated = await query(counter.db, Book).filter({ id: dune.id }).updateOne({ pages: 500 });
    assert.equal(counter.count, 1);
    assert.deepEqual(updated, { ...dune, pages: 500 });
    assert.deepEqual(await query(db, Book).get({ id: dune.id }), updated);
  });

  test('updateOne: no row is NotFoundError, several are MultipleFoundError and nothing changes, bad values a ValidationError', async (t) => {
    const { db, Book, ada, dune } = await setup(t);
    await assert.rejects(query(db, Book).filter({ id: 999_999 }).updateOne({ pages: 1 }), NotFoundError);
    await assert.rejects(
      query(db, Book).filter({ authorId: ada.id }).updateOne({ pages: 1 }),
      MultipleFoundError,
    );
    assert.equal(
      await query(db, Book).filter({ pages: 1 }).count(),
      0,
      'the two matches were left as they were',
    );
    await assert.rejects(query(db, Book).filter({ id: dune.id }).updateOne({ title: '' }), ValidationError);
    await assert.rejects(query(db, Book).filter({ id: dune.id }).updateOne({ authorId: 999 }), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.errors[0]!.loc, ['authorId']);
      return true;
    });
    // Inside a transaction the refusal leaves it usable.
    await db.transaction(async (tx) => {
      await assert.rejects(
        query(tx, Book).filter({ authorId: ada.id }).updateOne({ pages: 2 }),
        MultipleFoundError,
      );
      assert.equal((await query(tx, Book).filter({ id: dune.id }).updateOne({ pages: 3 })).pages, 3);
    });
  });

  test('updateOne with nothing to set (an empty PATCH body) writes nothing and answers the row as it is', async (t) => {
    const { db, Book, ada, dune } = await setup(t);
    const counter = countQueries(db);
    assert.deepEqual(await query(counter.db, Book).filter({ id: dune.id }).updateOne({}), dune);
    // A PATCH body typed with optional keys may hold undefined (plain JavaScript, or no exactOptionalPropertyTypes).
    assert.deepEqual(
      await query(counter.db, Book)
        .filter({ id: dune.id })
        .updateOne({ pages: undefined } as never),
      dune,
    );
    assert.equal(counter.count, 2, 'one read each, no write');
    await assert.rejects(query(db, Book).filter({ id: 999_999 }).updateOne({}), NotFoundError);
    await assert.rejects(query(db, Book).filter({ authorId: ada.id }).updateOne({}), MultipleFoundError);
  });

  test('deleteOne returns the row as it was; by key without work for the collector it is one statement', async (t) => {
    const { db, Tag, Book, Review, dune, tags } = await setup(t);
    const counter = countQueries(db);
    const gone = await query(counter.db, Tag).filter({ slug: 'space' }).deleteOne();
    assert.equal(counter.count, 1);
    assert.deepEqual(gone, tags[2]);
    assert.equal(await query(db, Tag).filter({ slug: 'space' }).count(), 0);
    // Deleting a book cascades to its reviews, as delete() does.
    await query(db, Review).create({ bookId: dune.id, rating: 5 });
    assert.equal((await query(db, Book).filter({ id: dune.id }).deleteOne()).title, 'Dune');
    assert.equal(await query(db, Review).count(), 0);
    await assert.rejects(query(db, Book).filter({ id: dune.id }).deleteOne(), NotFoundError);
    const left = await query(db, Book).count();
    await assert.rejects(
      query(db, Book)
        .filter({ title__in: ['Emma', 'The Engine'] })
        .deleteOne(),
      MultipleFoundError,
    );
    assert.equal(await query(db, Book).count(), left, 'nothing deleted');
  });

  test('refresh reads the row again through the query, and says when it is gone', async (t) => {
    const { db, Book, dune } = await setup(t);
    await query(db, Book).filter({ id: dune.id }).update({ pages: 99 });
    const fresh = await query(db, Book).selectRelated('author').refresh(dune);
    assert.equal(fresh.pages, 99);
    assert.equal(fresh.author.name, 'Ada');
    assert.equal(dune.pages, 412, 'the row given is left as it was');
    await query(db, Book).filter({ id: dune.id }).delete();
    await assert.rejects(query(db, Book).refresh(dune), NotFoundError);
  });
});
