/**
 * exclude() is SQL's not (…): a NULL column matches neither a condition nor its exclude (the
 * guide says how Django differs), and the Django result is one `or` away.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, not, or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

forEachDialect((_dialect, open) => {
  test('a NULL column matches neither filter nor exclude; or(isNull, not(…)) keeps it, as Django does', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, bob } = await stocked(db);
    const titles = async (set: ReturnType<typeof query<typeof Book>>) =>
      (await set.all()).map((b) => b.title);
    assert.deepEqual(await titles(query(db, Book).filter({ editorId: bob.id })), ['Emma']);
    assert.deepEqual(await titles(query(db, Book).exclude({ editorId: bob.id })), []);
    assert.deepEqual(await titles(query(db, Book).filter(not({ editorId: bob.id }))), []);
    assert.deepEqual(
      await titles(query(db, Book).filter(or({ editorId__isNull: true }, not({ editorId: bob.id })))),
      ['Dune', 'The Engine'],
    );
  });
});

forEachDialect((_dialect, open) => {
  test('isNull: true across a relation also matches rows that reach no related row, as Django (LEFT JOIN)', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Review, dune } = await stocked(db);
    await query(db, Review).create({ bookId: dune.id, rating: 4 });
    const titles = async (conditions: object) =>
      (
        await query(db, Book)
          .filter(conditions as never)
          .all()
      ).map((b) => b.title);
    // No book has a review without a rating: the match is the books without reviews.
    assert.deepEqual(await titles({ reviews__rating__isNull: true }), ['Emma', 'The Engine']);
    assert.deepEqual(await titles({ reviews__rating__isNull: false }), ['Dune']);
    // A nullable foreign key: no editor, so no editor's name.
    assert.deepEqual(await titles({ editor__name__isNull: true }), ['Dune', 'The Engine']);
    // With another condition on the same relation, a related row must exist.
    assert.deepEqual(await titles({ reviews__rating__isNull: true, reviews__rating__gte: 1 }), []);
  });
});

forEachDialect((_dialect, open) => {
  test('and() of conditions objects holds on the same related row, as Q(…) & Q(…) in one Django filter()', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, Review, dune, emma } = await stocked(db);
    // Dune: one review of 5, another of 1; Emma: one review of 5.
    await query(db, Review).bulkCreate([
      { bookId: dune.id, rating: 5 },
      { bookId: dune.id, rating: 1 },
      { bookId: emma.id, rating: 5 },
    ]);
    const titles = async (conditions: object) =>
      (
        await query(db, Book)
          .filter(conditions as never)
          .all()
      ).map((b) => b.title);
    // One review both >= 4 and <= 2: none; chained filters may use two reviews.
    assert.deepEqual(await titles(and({ reviews__rating__gte: 4 }, { reviews__rating__lte: 2 })), []);
    assert.deepEqual(
      (
        await query(db, Book).filter({ reviews__rating__gte: 4 }).filter({ reviews__rating__lte: 2 }).all()
      ).map((b) => b.title),
      ['Dune'],
    );
    // Repeated keys in and(): the same review must be rated 5 and 1.
    assert.deepEqual(await titles(and({ reviews__rating: 5 }, { reviews__rating: 1 })), []);
    // Nested combinators keep their own meaning.
    assert.deepEqual(await titles(and(or({ title: 'Dune' }, { title: 'Emma' }), { reviews__rating: 1 })), [
      'Dune',
    ]);
  });
});
