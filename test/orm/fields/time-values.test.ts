/**
 * A time is stored, read back and compared in one form on both databases, PostgreSQL's
 * `HH:MM:SS[.ffffff]`: `'21:30'` reads back `'21:30:00'` and `at: '21:30:00'` finds it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

const registry = createRegistry();
const Slot = model('agenda.Slot', { at: f.time(), label: f.string({ maxLength: 20 }) }, { registry });

test("f.time() writes PostgreSQL's form: seconds always, a fraction without trailing zeros", () => {
  const at = f.time();
  const cases: [string, string][] = [
    ['21:30', '21:30:00'],
    ['21:30:05', '21:30:05'],
    ['21:30:00.500', '21:30:00.5'],
    ['21:30:00.000', '21:30:00'],
    ['00:00:00.000001', '00:00:00.000001'],
    ['23:59:59.050', '23:59:59.05'],
  ];
  for (const [written, stored] of cases) {
    assert.equal(at.toDb(written, 'sqlite'), stored, written);
    assert.equal(at.toDb(written, 'postgres'), stored, written);
    assert.equal(at.fromDb(written, 'sqlite'), stored, `${written} read back`);
  }
});

forEachDialect((_dialect, open) => {
  test("'21:30' is stored as '21:30:00', read back so, and found by any spelling", async (t) => {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Slot]);
    const slots = query(db, Slot);
    const created = await slots.create({ at: '21:30', label: 'late' });
    assert.equal(created.at, '21:30:00');
    await slots.bulkCreate([
      { at: '09:05:00.500', label: 'half' },
      { at: '09:05', label: 'early' },
    ]);
    assert.deepEqual(
      (await slots.orderBy('at').all()).map((s) => [s.at, s.label]),
      [
        ['09:05:00', 'early'],
        ['09:05:00.5', 'half'],
        ['21:30:00', 'late'],
      ],
    );
    for (const spelling of ['21:30', '21:30:00', '21:30:00.000'])
      assert.equal((await slots.get({ at: spelling })).label, 'late', spelling);
    assert.equal(await slots.filter({ at__in: ['09:05:00.50', '21:30'] }).count(), 2);
    assert.equal(await slots.filter({ at__gt: '09:05', at__lt: '21:30' }).count(), 1);
    await slots.filter({ label: 'late' }).update({ at: '22:00' });
    assert.equal((await slots.get({ label: 'late' })).at, '22:00:00');
    assert.throws(() => slots.filter({ at: '9:30' }), QueryError);
    assert.throws(() => slots.filter({ at__gte: 'noon' }), QueryError);
  });
});
