/**
 * Text no database stores as it is — a NUL character, a lone surrogate — is refused by text and
 * JSON fields before any SQL, the same on both databases: a `ValidationError` on the field from
 * every write (PostgreSQL answered a `DatabaseError`, and both stored a lone surrogate as U+FFFD),
 * a `QueryError` from a filter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError, ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

const registry = createRegistry();
const Note = model(
  'notes.Note',
  {
    title: f.string({ maxLength: 50 }),
    body: f.text({ nullable: true }),
    data: f.json({ nullable: true }),
  },
  { registry },
);

const NUL = 'null_characters_not_allowed';
const SURROGATE = 'string_unicode';

/** The `[loc, type]` of each error of a ValidationError. */
async function refused(write: Promise<unknown>): Promise<[string, string][]> {
  try {
    await write;
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.errors.map((e) => [e.loc.join('.'), e.type]);
  }
  assert.fail('the write was accepted');
}

test('check() names the problem, in text, JSON strings and JSON keys', () => {
  assert.deepEqual(f.text().check('a\u0000b'), [
    { msg: 'String should not contain null characters (U+0000)', type: NUL },
  ]);
  assert.deepEqual(f.email().check('a\ud800@b.co'), [
    { msg: 'String should be valid Unicode (it holds a lone surrogate)', type: SURROGATE },
  ]);
  assert.deepEqual(f.text().check('emoji 😀 is a well-formed pair'), []);
  const json = f.json();
  assert.equal(json.check({ a: ['x', 'y\u0000'] })[0]?.type, NUL);
  assert.equal(json.check({ 'key\u0000': 1 })[0]?.type, NUL);
  assert.equal(json.check({ a: { b: '\udc00' } })[0]?.type, SURROGATE);
  assert.deepEqual(json.check({ a: '\\u0000 written out' }), []);
});

forEachDialect((_dialect, open) => {
  test('create, bulkCreate, update and getOrCreate refuse it on the field, before any SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Note]);
    const notes = query(db, Note);
    assert.deepEqual(await refused(notes.create({ title: 'a\u0000b' })), [['title', NUL]]);
    assert.deepEqual(await refused(notes.create({ title: 'ok', body: 'x\ud800' })), [['body', SURROGATE]]);
    assert.deepEqual(await refused(notes.create({ title: 'ok', data: { note: 'x\u0000' } })), [
      ['data', NUL],
    ]);
    assert.deepEqual(await refused(notes.create({ title: 'ok', data: ['\udfff'] })), [['data', SURROGATE]]);
    assert.deepEqual(await refused(notes.bulkCreate([{ title: 'fine' }, { title: 'ok', body: '\u0000' }])), [
      ['1.body', NUL],
    ]);
    const kept = await notes.create({ title: 'kept', body: 'plain', data: { a: '😀' } });
    assert.deepEqual(await refused(notes.filter({ id: kept.id }).update({ body: 'x\udbff' })), [
      ['body', SURROGATE],
    ]);
    assert.deepEqual(await refused(notes.getOrCreate({ title: 'new' }, { body: 'x\u0000' })), [
      ['body', NUL],
    ]);
    // Nothing was written, and what was kept reads back as written.
    assert.equal(await notes.count(), 1);
    assert.deepEqual(await notes.get({ id: kept.id }), { ...kept });
  });

  test('a filter on it is a QueryError, before any SQL', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Note]);
    const notes = query(db, Note);
    assert.throws(() => notes.filter({ title: 'a\u0000' }), QueryError);
    assert.throws(() => notes.filter({ title__in: ['ok', '\ud800'] }), QueryError);
    assert.throws(() => notes.filter({ body__gt: '\u0000' }), QueryError);
    assert.throws(() => notes.filter({ data: { a: 'x\u0000' } }), QueryError);
    // The text lookups too (PostgreSQL answered a driver error for a NUL there).
    for (const lookup of ['contains', 'icontains', 'startsWith', 'endsWith', 'iexact'])
      assert.throws(() => notes.filter({ [`title__${lookup}`]: 'a\u0000' } as never), QueryError, lookup);
    await assert.rejects(() => notes.get({ title: 'a\u0000' }), QueryError);
    await assert.rejects(() => notes.getOrCreate({ title: 'a\ud800' }), QueryError);
    assert.equal(await notes.filter({ title: 'fine 😀' }).count(), 0);
  });
});
