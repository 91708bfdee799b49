/**
 * Database constraint violations on create, bulkCreate and update become a ValidationError at
 * the fields involved, on both dialects, and leave the caller's transaction usable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CheckViolationError,
  DatabaseError,
  ForeignKeyViolationError,
  NotNullViolationError,
} from '../../../src/orm/errors.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import type { FieldError } from '../../../src/orm/validation.ts';
import { forEachDialect, serialKey } from '../support.ts';
import { stocked } from './catalog.ts';

async function refused(
  promise: Promise<unknown>,
  errors: FieldError[],
  cause?: new (...args: never[]) => Error,
) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.deepEqual(e.errors, errors);
    if (cause) assert.ok(e.cause instanceof cause, String(e.cause));
    return true;
  });
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    return { db, ...(await stocked(db)) };
  }

  test('a missing foreign key target names the field and the key', async (t) => {
    const { db, Book, ada } = await setup(t);
    const missing = { loc: ['authorId'], msg: 'Author 99 does not exist', type: 'foreign_key' };
    await refused(
      query(db, Book).create({ title: 'Ghost', authorId: 99 }),
      [missing],
      ForeignKeyViolationError,
    );
    // The other key is fine: only the missing one is named.
    await refused(query(db, Book).create({ title: 'Ghost', authorId: ada.id, editorId: 98 }), [
      { loc: ['editorId'], msg: 'Author 98 does not exist', type: 'foreign_key' },
    ]);
    await refused(
      query(db, Book).bulkCreate([
        { title: 'Fine', authorId: ada.id },
        { title: 'Ghost', authorId: 99 },
      ]),
      [{ ...missing, loc: [1, 'authorId'] }],
    );
    assert.equal(await query(db, Book).filter({ title: 'Fine' }).count(), 0);
    await refused(query(db, Book).filter({ title: 'Dune' }).update({ authorId: 99 }), [missing]);
  });

  test('a check names its fields (a raw check names none)', async (t) => {
    const { db, Book, ada } = await setup(t);
    const check = (name: string, loc: string[]) => ({
      loc,
      msg: `The book fails the check '${name}'`,
      type: 'check',
    });
    await refused(
      query(db, Book).create({ title: 'Long', authorId: ada.id, pages: 6000 }),
      [check('pages_under_5000', ['pages'])],
      CheckViolationError,
    );
    await refused(query(db, Book).create({ title: '', authorId: ada.id }), [check('title_not_blank', [])]);
    await refused(query(db, Book).filter({ title: 'Dune' }).update({ pages: 5000 }), [
      check('pages_under_5000', ['pages']),
    ]);
  });

  test('a unique violation is still type unique, in bulkCreate with its index', async (t) => {
    const { db, Author } = await setup(t);
    await refused(
      query(db, Author).bulkCreate([
        { name: 'Cy', countryId: 'gb' },
        { name: 'Ada', countryId: 'gb' },
      ]),
      [{ loc: [1, 'name'], msg: 'Author with this name already exists', type: 'unique' }],
    );
    await refused(query(db, Author).filter({ name: 'Bob' }).update({ name: 'Ada' }), [
      { loc: ['name'], msg: 'Author with this name already exists', type: 'unique' },
    ]);
  });

  test('a not-null violation the validation could not see is placed at its field', async (t) => {
    const { db } = await setup(t);
    // The model says nullable, the table (made before a change of the model) says not null.
    const Note = model('memo.Note', { body: f.text({ nullable: true }) }, { registry: createRegistry() });
    await db.run(`create table memo_note (id ${serialKey(db.dialect)}, body text not null)`);
    const notNull = [{ loc: ['body'], msg: 'Input should not be null', type: 'null' }];
    await refused(query(db, Note).create({}), notNull, NotNullViolationError);
    await query(db, Note).create({ body: 'x' });
    await refused(query(db, Note).update({ body: null }), notNull, NotNullViolationError);
  });

  test('a failed write spoils its transaction (as in Django); in a savepoint the transaction goes on', async (t) => {
    const { db, Book, Author, ada } = await setup(t);
    // Caught and ignored, the failure still ends the transaction: later statements are refused
    // and the end rolls back, on both databases.
    let refusedAfter: unknown;
    await assert.rejects(
      db.transaction(async (tx) => {
        await query(tx, Book).create({ title: 'Before', authorId: ada.id });
        await assert.rejects(query(tx, Book).create({ title: 'Ghost', authorId: 99 }), ValidationError);
        refusedAfter = await query(tx, Book)
          .count()
          .catch((error: unknown) => error);
      }),
      (error: unknown) =>
        error instanceof DatabaseError &&
        /rolled back, not committed/.test(error.message) &&
        error.cause instanceof ValidationError,
    );
    assert.ok(refusedAfter instanceof DatabaseError, String(refusedAfter));
    assert.match((refusedAfter as Error).message, /An earlier statement of this transaction failed/);
    assert.equal(await query(db, Book).filter({ title: 'Before' }).count(), 0, 'nothing kept');

    // Each write that may fail in its own savepoint: the transaction goes on and commits.
    await db.transaction(async (tx) => {
      const attempt = (write: (sp: typeof tx) => Promise<unknown>) => tx.transaction(write);
      await assert.rejects(
        attempt((sp) => query(sp, Book).create({ title: 'Ghost', authorId: 99 })),
        ValidationError,
      );
      await assert.rejects(
        attempt((sp) => query(sp, Author).create({ name: 'Ada', countryId: 'gb' })),
        ValidationError,
      );
      await assert.rejects(
        attempt((sp) => query(sp, Book).filter({ title: 'Dune' }).update({ pages: 9000 })),
        ValidationError,
      );
      await query(tx, Book).create({ title: 'Kept', authorId: ada.id });
    });
    assert.equal(await query(db, Book).filter({ title: 'Kept' }).count(), 1);
    assert.equal(await query(db, Book).filter({ title: 'Ghost' }).count(), 0);
  });
});
