/**
 * Decimal values in filters are numbers, written the way the column stores them, on both
 * databases: `'12.3400'` finds a stored `12.34`, a value the column cannot hold finds nothing,
 * and text that is not a number is a `QueryError` before any SQL.
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
const Item = model(
  'shop.Item',
  {
    code: f.string({ maxLength: 20, unique: true }),
    price: f.decimal({ digits: 8, places: 2 }),
    big: f.decimal({ digits: 30, places: 4, nullable: true }),
  },
  { registry },
);

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Item]);
    await query(db, Item).bulkCreate([
      { code: 'a', price: '12.34', big: '12345678901234567890.0001' },
      { code: 'b', price: '-0.00' },
      { code: 'c', price: '100' },
    ]);
    return db;
  }

  test('a decimal written with more zeros, or as a number, finds the stored value', async (t) => {
    const db = await setup(t);
    const codes = async (conditions: object) =>
      (
        await query(db, Item)
          .filter(conditions as never)
          .orderBy('code')
          .values('code')
      ).map((r) => r.code);
    assert.deepEqual(await codes({ price: '12.3400' }), ['a']);
    assert.deepEqual(await codes({ price__in: ['12.340', '100.000'] }), ['a', 'c']);
    assert.deepEqual(await codes({ price: 12.34 }), ['a']);
    assert.deepEqual(await codes({ price: '1234e-2' }), ['a']);
    assert.deepEqual(await codes({ price: '1e2' }), ['c']);
    assert.deepEqual(await codes({ big: '12345678901234567890.000100' }), ['a']);
    assert.equal((await query(db, Item).get({ price: '12.3400' })).code, 'a');
  });

  test('zero in any spelling is stored as zero and found by any spelling', async (t) => {
    const db = await setup(t);
    assert.equal((await query(db, Item).get({ code: 'b' })).price, '0.00');
    for (const zero of ['0', '-0', '-0.000', '0e5', 0])
      assert.deepEqual(
        (
          await query(db, Item)
            .filter({ price: zero as string })
            .values('code')
        ).map((r) => r.code),
        ['b'],
        String(zero),
      );
  });

  test('a value the column cannot hold matches nothing; order comparisons still see it', async (t) => {
    const db = await setup(t);
    const items = query(db, Item);
    assert.equal(await items.filter({ price: '12.345' }).count(), 0);
    assert.equal(await items.filter({ price__in: ['12.345', '1000000.00'] }).count(), 0);
    assert.equal(await items.filter({ price: '12.345' }).exists(), false);
    assert.deepEqual(
      (await items.filter({ price__gt: '12.335', price__lt: '12.345' }).values('code')).map((r) => r.code),
      ['a'],
    );
    assert.equal(await items.filter({ price__range: ['12.3399', '12.3401'] }).count(), 1);
  });

  test('text that is not a decimal number is a QueryError, before any SQL', async (t) => {
    const db = await setup(t);
    for (const bad of ['twelve', '12,34', '', '1e99999999', true]) {
      assert.throws(() => query(db, Item).filter({ price: bad as string }), QueryError, String(bad));
      assert.throws(() => query(db, Item).filter({ price__gte: bad as string }), QueryError, String(bad));
    }
  });
});
