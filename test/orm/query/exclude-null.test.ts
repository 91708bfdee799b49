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
