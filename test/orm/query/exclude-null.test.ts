/**
 * exclude() is SQL's not (…): a NULL column matches neither a condition nor its exclude (the
 * guide says how Django differs), and the Django result is one `or` away.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { not, or } from '../../../src/orm/query/expressions.ts';
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
