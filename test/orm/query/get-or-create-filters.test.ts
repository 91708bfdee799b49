/**
 * getOrCreate and updateOrCreate through a filtered query make a row that matches the query, or
 * refuse: a lookup or a default contradicting a filter's value would make a row the next call
 * does not find (and makes again).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { stocked } from './catalog.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('a lookup contradicting a filter of the query is a QueryError before any SQL', async (t) => {
    const { db, Book, ada, bob } = await setup(t);
    const adas = query(db, Book).filter({ authorId: ada.id });
    await assert.rejects(
      adas.getOrCreate({ title: 'Persuasion', authorId: bob.id }),
      (error) =>
        error instanceof QueryError &&
        error.message ===
          `getOrCreate(): the lookup gives 'authorId' ${bob.id}, but the query's filter says ${ada.id}: no row can match both`,
    );
    await assert.rejects(
      adas.updateOrCreate({ title: 'Persuasion', authorId: bob.id }, { pages: 1 }),
      QueryError,
    );
    assert.equal(await query(db, Book).filter({ title: 'Persuasion' }).count(), 0);
    // The same value, as the filter has it or spelled otherwise, is no contradiction.
    const made = await adas.getOrCreate({ title: 'Persuasion', authorId: ada.id });
    assert.equal(made.created, true);
  });

  test('a default contradicting a filter refuses to create a row outside the query, but updates a found row', async (t) => {
    const { db, Book, ada, bob } = await setup(t);
    const adas = query(db, Book).filter({ authorId: ada.id });
    await assert.rejects(
      adas.getOrCreate({ title: 'Persuasion' }, { authorId: () => bob.id }),
      (error) =>
        error instanceof QueryError &&
        error.message ===
          `getOrCreate(): the defaults give 'authorId' ${bob.id}, but the query's filter says ${ada.id}: the row made would not match the query, and the next call would not find it`,
    );
    await assert.rejects(adas.updateOrCreate({ title: 'Persuasion' }, { authorId: bob.id }), QueryError);
    assert.equal(await query(db, Book).filter({ title: 'Persuasion' }).count(), 0);
    // A default for a key no filter fixes is used as it is.
    const made = await adas.getOrCreate({ title: 'Persuasion' }, { pages: 300 });
    assert.deepEqual([made.created, made.row.authorId, made.row.pages], [true, ada.id, 300]);
  });

  test('updateOrCreate answers the found row as updated, also when its defaults move it out of the query', async (t) => {
    const { db, Book, Author, ada, bob, dune } = await setup(t);
    const moved = await query(db, Book)
      .filter({ authorId: ada.id })
      .updateOrCreate({ title: 'Dune' }, { authorId: bob.id });
    assert.deepEqual([moved.created, moved.row.id, moved.row.authorId], [false, dune.id, bob.id]);
    assert.equal((await query(db, Book).get({ id: dune.id })).authorId, bob.id);
    // Through a query with selectRelated, the row comes with its relations (typed as a plain row).
    const related = await query(db, Book)
      .selectRelated('author')
      .updateOrCreate({ title: 'Dune' }, { pages: 500 });
    const row = related.row as typeof related.row & { author: { name: string } };
    assert.deepEqual([row.pages, row.author.name], [500, 'Bob']);
    assert.equal(await query(db, Author).count(), 2);
  });
});
