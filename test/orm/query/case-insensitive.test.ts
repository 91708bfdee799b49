/**
 * `iexact` and `icontains` compare text in capitals, as Django's `UPPER(column) = UPPER(value)`,
 * by Unicode's case rules on both databases: a Greek word ending in a final sigma matches its
 * capitals, accented Latin letters fold, and ASCII text matches as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../src/orm/database.ts';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

async function seed(db: Database) {
  const registry = createRegistry();
  const Word = model('ci.Word', { text: f.string({ maxLength: 50 }) }, { registry, ordering: ['id'] });
  await createTables(db, [Word]);
  await query(db, Word).bulkCreate(
    ['σίσυφος', 'Ο ΒΡΆΧΟΣ ΤΟΥ ΣΊΣΥΦΟΥ', 'Dune', 'DUNE Messiah', 'Ärger', '100% done', 'straße'].map(
      (text) => ({ text }),
    ),
  );
  const words = query(db, Word);
  const texts = async (where: object) =>
    (await words.filter(where as never).values('text')).map((r) => r.text);
  const excluded = async (where: object) =>
    (await words.exclude(where as never).values('text')).map((r) => r.text);
  return { texts, excluded };
}

forEachDialect((_dialect, open) => {
  test('iexact and icontains match a final sigma with its capital, on both databases', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { texts, excluded } = await seed(db);
    assert.deepEqual(await texts({ text__iexact: 'ΣΊΣΥΦΟΣ' }), ['σίσυφος']);
    assert.deepEqual(await texts({ text__iexact: 'Σίσυφος' }), ['σίσυφος']);
    assert.deepEqual(await texts({ text__icontains: 'ΣΊΣΥΦΟΣ' }), ['σίσυφος']);
    assert.deepEqual(await texts({ text__icontains: 'σίσυφ' }), ['σίσυφος', 'Ο ΒΡΆΧΟΣ ΤΟΥ ΣΊΣΥΦΟΥ']);
    assert.deepEqual(await texts({ text__icontains: 'βράχος' }), ['Ο ΒΡΆΧΟΣ ΤΟΥ ΣΊΣΥΦΟΥ']);
    assert.deepEqual(await texts({ text__iexact: 'ärger' }), ['Ärger']);
    assert.deepEqual(await texts({ text__icontains: 'RGER' }), ['Ärger']);
    assert.equal((await excluded({ text__icontains: 'σίσυφ' })).length, 5);
  });

  test('iexact and icontains with ASCII text match as before', async (t) => {
    const db = await open();
    t.after(() => db.close());
    const { texts } = await seed(db);
    assert.deepEqual(await texts({ text__iexact: 'dune' }), ['Dune']);
    assert.deepEqual(await texts({ text__iexact: 'DUNE' }), ['Dune']);
    assert.deepEqual(await texts({ text__icontains: 'dune' }), ['Dune', 'DUNE Messiah']);
    assert.deepEqual(await texts({ text__icontains: 'MESS' }), ['DUNE Messiah']);
    // % and _ match themselves.
    assert.deepEqual(await texts({ text__icontains: '0% D' }), ['100% done']);
    assert.deepEqual(await texts({ text__iexact: '100% DONE' }), ['100% done']);
    assert.deepEqual(await texts({ text__iexact: '100_ done' }), []);
    assert.deepEqual(await texts({ text__iexact: 'dun' }), []);
    assert.deepEqual(await texts({ text__iexact: '' }), []);
    // Longer than SQLite's longest like pattern (50,000 bytes).
    assert.deepEqual(await texts({ text__iexact: 'x'.repeat(60_000) }), []);
    // Case-sensitive lookups still see case.
    assert.deepEqual(await texts({ text__contains: 'une' }), ['Dune']);
    assert.deepEqual(await texts({ text__startsWith: 'DUNE' }), ['DUNE Messiah']);
  });
});
