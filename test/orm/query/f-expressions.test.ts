/**
 * F(): a column's value as the database has it when the statement runs, with arithmetic, in
 * update() and updateOne() — one atomic statement, so concurrent decrements never oversell.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from '../../../src/orm/ddl.ts';
import { f } from '../../../src/orm/fields/index.ts';
import { model } from '../../../src/orm/model.ts';
import { QueryError, ValidationError } from '../../../src/orm/query/errors.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { F } from '../../../src/orm/query/refs.ts';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

function shop() {
  const registry = createRegistry();
  const Product = model(
    'fx.Product',
    {
      name: f.string({ maxLength: 50 }),
      stock: f.integer({ min: 0 }),
      reserved: f.integer({ default: 0 }),
      weight: f.float({ default: 1 }),
      price: f.decimal({ digits: 8, places: 2, default: '1.00' }),
    },
    { registry },
  );
  return { Product };
}

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    const { Product } = shop();
    await createTables(db, [Product]);
    const widget = await query(db, Product).create({ name: 'widget', stock: 5 });
    return { db, Product, widget };
  }

  test('a decrement with F() and a stock condition is one atomic statement: 20 at once sell exactly 5', async (t) => {
    const { db, Product, widget } = await setup(t);
    const sell = () =>
      query(db, Product)
        .filter({ id: widget.id, stock__gte: 1 })
        .update({ stock: F('stock').minus(1) });
    const sold = await Promise.all(Array.from({ length: 20 }, sell));
    assert.equal(sold.filter((n) => n === 1).length, 5);
    assert.equal(sold.filter((n) => n === 0).length, 15);
    assert.equal((await query(db, Product).get({ id: widget.id })).stock, 0);
  });

  test('arithmetic across fields and numbers, in update and updateOne', async (t) => {
    const { db, Product, widget } = await setup(t);
    await query(db, Product)
      .filter({ id: widget.id })
      .update({ reserved: F('stock').plus(F('reserved')).times(2), name: 'Widget' });
    let row = await query(db, Product).get({ id: widget.id });
    assert.deepEqual([row.reserved, row.name], [10, 'Widget']);
    row = await query(db, Product)
      .filter({ id: widget.id })
      .updateOne({ stock: F('reserved').dividedBy(3) });
    assert.equal(row.stock, 3, 'whole numbers divide as whole numbers, on both databases');
    row = await query(db, Product)
      .filter({ id: widget.id })
      .updateOne({ weight: F('weight').times(2.5) });
    assert.equal(row.weight, 2.5);
    // The same shape with other numbers reuses its SQL and gives the new result.
    row = await query(db, Product)
      .filter({ id: widget.id })
      .updateOne({ weight: F('weight').times(4) });
    assert.equal(row.weight, 10);
  });

  test('F() mistakes are QueryErrors before any SQL; plain values beside it are still validated', async (t) => {
    const { db, Product, widget } = await setup(t);
    const one = query(db, Product).filter({ id: widget.id });
    await assert.rejects(one.update({ stock: F('nope').plus(1) }), /has no field 'nope'/);
    await assert.rejects(one.update({ stock: F('name' as never).plus(1) }), /'name' is a string field/);
    await assert.rejects(one.update({ price: F('price').plus(1) } as never), /decimal/);
    await assert.rejects(one.update({ stock: F('stock').times(1.5) }), /gives a fraction/);
    await assert.rejects(one.update({ stock: F('weight').plus(1) }), /float field 'weight' gives a fraction/);
    await assert.rejects(one.update({ stock: F('stock').plus(2 ** 53) }), /2\^53/);
    // A nullable column would silently become NULL on SQLite.
    await assert.rejects(one.update({ stock: F('stock').dividedBy(0) }), /dividedBy\(0\) divides by zero/);
    assert.throws(() => F('stock').plus('one' as never), QueryError);
    // Decimal text is exact arithmetic for queries; an update computes with numbers.
    await assert.rejects(
      one.update({ stock: F('stock').plus('1') }),
      /decimal text \("1"\) is for filters and annotations/,
    );
    await assert.rejects(one.update({ stock: F('stock').plus(1), name: 'x'.repeat(51) }), ValidationError);
    assert.equal((await query(db, Product).get({ id: widget.id })).stock, 5, 'nothing changed');
  });
});
