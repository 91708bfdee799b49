/**
 * raw(sql, params): parameters only, rows mapped to the model's typed row keys, misuse refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { forEachDialect } from '../support.ts';
import { seeded } from './fixtures.ts';

forEachDialect((dialect, open) => {
  test('raw runs the SQL with bound parameters and maps columns to row keys', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book, ada } = await seeded(db);
    const p = (n: number) => (dialect === 'sqlite' ? '?' : `$${n}`);
    const books = await query(db, Book).raw(
      `select *, 1 as extra from library_book where author_id = ${p(1)} and title <> ${p(2)} order by title`,
      [ada.id, 'nothing'],
    );
    assert.deepEqual(
      books.map((b) => [b.title, b.authorId, b.isbn, b.created instanceof Date, b.price]),
      [
        ['Dune', ada.id, '9780000000001', true, '9.90'],
        ['Notes 100%_done', ada.id, '9780000000002', true, '19.50'],
      ],
    );
    assert.equal(Number((books[0] as unknown as { extra: unknown }).extra), 1);
    // A value that looks like SQL is only a value.
    assert.deepEqual(
      await query(db, Book).raw(`select * from library_book where title = ${p(1)}`, ["' or 1=1 --"]),
      [],
    );
    assert.equal(await query(db, Book).count(), 3);
  });

  test('raw refuses a tagged template, parameters that are not an array, and partial rows', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { Book } = await seeded(db);
    const books = query(db, Book);
    const id = "1' or '1'='1";
    const tagged = (
      books.raw as unknown as (s: TemplateStringsArray, ...v: unknown[]) => Promise<unknown>
    ).bind(books);
    await assert.rejects(tagged`select * from library_book where id = ${id}`, /called as a tagged template/);
    await assert.rejects(
      books.raw('select * from library_book where id = ?', id as never),
      /parameters should be an array/,
    );
    await assert.rejects(
      books.raw('select * from library_book', { id } as never),
      /parameters should be an array/,
    );
    await assert.rejects(books.raw(42 as never), QueryError);
    await assert.rejects(
      books.raw('select id, title from library_book'),
      /the result has no column 'isbn13'/,
    );
    assert.equal(await books.count(), 3);
  });
});
