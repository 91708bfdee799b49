/**
 * when(…).when(…).otherwise(…): a value chosen per row by conditions (Django's Case/When), in
 * annotate(), then values, filters, orderBy and groupBy; literals bound, F() values, one kind of
 * value per case; on both databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, sum } from '../../../src/orm/query/aggregates.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { when } from '../../../src/orm/query/cases.ts';
import { extract } from '../../../src/orm/query/dates.ts';
import { not, or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { F } from '../../../src/orm/query/refs.ts';
import type { OpenTestDatabase } from '../../../src/testing/database.ts';
import { forEachDialect } from '../support.ts';
import { salesDatabase } from './fixtures-sales.ts';

async function setup(open: OpenTestDatabase, t: { after: (fn: () => Promise<void>) => void }) {
  const db = await open();
  t.after(() => db.close());
  const sales = await salesDatabase(db);
  const { Order, Line, ana, bo, cy, pen, ink, pad } = sales;
  // Products (price): Pen 2.50, Ink 12.00, Pad 4.10.
  const [o1, o2] = await query(db, Order).bulkCreate([
    { customerId: ana.id, placedAt: new Date('2024-01-10T10:00:00Z'), total: '17.00' },
    { customerId: bo.id, placedAt: new Date('2024-06-11T10:00:00Z'), total: '120.00' },
    { customerId: cy.id, placedAt: new Date('2024-06-12T10:00:00Z'), total: '0.00', status: 'draft' },
  ]);
  await query(db, Line).bulkCreate([
    { orderId: o1!.id, productId: pen.id, quantity: 2, amount: '5.00' },
    { orderId: o1!.id, productId: ink.id, quantity: 1, amount: '12.00' },
    { orderId: o2!.id, productId: ink.id, quantity: 10, amount: '120.00' },
  ]);
  void pad;
  return { db, ...sales };
}

forEachDialect((_dialect, open) => {
  test('the first branch whose conditions hold gives the value; otherwise the rest, else null', async (t) => {
    const { db, Product } = await setup(open, t);
    const rows = await query(db, Product)
      .annotate({
        band: when({ price__lt: '3' }, 'cheap').when({ price__lt: '10' }, 'mid').otherwise('dear'),
        short: when({ stock__lt: F('reserved') }, true).otherwise(false),
        rank: when({ category: 1 }, 1).when({ category: 2 }, 2.5),
        named: when(or({ name__startsWith: 'P' }, not({ stock__gt: 1 })), 'p-or-empty'),
      })
      .orderBy('id')
      .values('name', 'band', 'short', 'rank', 'named');
    assert.deepEqual(rows, [
      { name: 'Pen', band: 'cheap', short: true, rank: 1, named: 'p-or-empty' },
      { name: 'Ink', band: 'dear', short: false, rank: 2.5, named: null },
      { name: 'Pad', band: 'mid', short: false, rank: 1, named: 'p-or-empty' },
    ]);
  });

  test('a case is filtered, ordered and grouped by; its values are parameters', async (t) => {
    const { db, Product } = await setup(open, t);
    const banded = (cheap: string, limit: string) =>
      query(db, Product).annotate({
        band: when({ price__lt: limit }, cheap).otherwise('dear'),
      });
    assert.deepEqual(await banded('cheap', '5').filter({ band: 'cheap' }).orderBy('id').values('name'), [
      { name: 'Pen' },
      { name: 'Pad' },
    ]);
    assert.deepEqual(await banded('cheap', '5').filter({ band__startsWith: 'de' }).values('name'), [
      { name: 'Ink' },
    ]);
    assert.deepEqual(
      await banded('cheap', '5')
        .groupBy('band')
        .aggregate({ n: count(), stocked: sum('stock') }),
      [
        { band: 'cheap', n: 2, stocked: 10 },
        { band: 'dear', n: 1, stocked: 5 },
      ],
    );
    assert.deepEqual(await banded('cheap', '5').orderBy('-band', 'name').values('name'), [
      { name: 'Ink' },
      { name: 'Pad' },
      { name: 'Pen' },
    ]);
    assert.deepEqual(await banded('low', '3').filter({ band: 'low' }).orderBy('id').values('name'), [
      { name: 'Pen' },
    ]);
    const before = cachedShapes(Product);
    // The case's values (in the select and the condition) and the filter's, bound in SQL order.
    await banded('cheap', '5').filter({ band: 'dear' }).orderBy('band', 'id').values('name', 'band');
    const shapes = cachedShapes(Product);
    assert.equal(shapes, before + 1);
    assert.deepEqual(
      await banded('low', '3').filter({ band: 'dear' }).orderBy('band', 'id').values('name', 'band'),
      [
        { name: 'Ink', band: 'dear' },
        { name: 'Pad', band: 'dear' },
      ],
    );
    assert.equal(cachedShapes(Product), shapes);
  });

  test('conditions across relations and on earlier annotations; F() values of a field or arithmetic', async (t) => {
    const { db, Order } = await setup(open, t);
    const rows = await query(db, Order)
      .annotate({ lineCount: count('lines'), month: extract('placedAt', 'month') })
      .annotate({
        kind: when({ lines__product__category: 2, lineCount__gte: 2 }, 'mixed ink')
          .when({ lines__product__category: 2 }, 'ink')
          .otherwise('other'),
        paid: when({ status: 'paid' }, F('total')).otherwise('0'),
        bonus: when({ month__gte: 6 }, F('total').times('0.1')).otherwise(0),
        shipped: when({ status: 'draft' }, null).otherwise(F('placedAt')),
      })
      .orderBy('id')
      .values('kind', 'paid', 'bonus', 'shipped');
    assert.deepEqual(rows, [
      { kind: 'mixed ink', paid: '17.00', bonus: '0', shipped: new Date('2024-01-10T10:00:00Z') },
      { kind: 'ink', paid: '120.00', bonus: '12.000', shipped: new Date('2024-06-11T10:00:00Z') },
      { kind: 'other', paid: '0.00', bonus: '0.000', shipped: null },
    ]);
    // A decimal case compares exactly.
    assert.equal(
      await query(db, Order)
        .annotate({ paid: when({ status: 'paid' }, F('total')).otherwise('0') })
        .filter({ paid__gt: '17' })
        .count(),
      1,
    );
  });

  test('bad cases are refused before any SQL runs', async (t) => {
    const { db, Product } = await setup(open, t);
    const products = query(db, Product);
    assert.throws(() => when('price' as never, 1), /conditions should be an object/);
    assert.throws(() => when({ price__lt: '3' }, {} as never), /a value should be text, a finite number/);
    assert.throws(() => when({ price__lt: '3' }, Number.NaN), /a value should be text, a finite number/);
    assert.throws(() => when({ a: 1 }, 1).otherwise(2).when({ b: 1 }, 3), /otherwise\(\) ends the cases/);
    assert.throws(() => when({ a: 1 }, 1).otherwise(2).otherwise(3), /otherwise\(\) was given already/);
    assert.throws(
      () => products.annotate({ x: when({ price__lt: '3' }, 'cheap').otherwise(1) }),
      /the values of when\(\) are of one kind .*got text, integer/,
    );
    assert.throws(
      () => products.annotate({ x: when({ prise__lt: '3' }, 'cheap') }),
      /sales\.Product has no field 'prise'/,
    );
    assert.throws(
      () => products.annotate({ x: when({ price__lt: '3' }, F('price')).otherwise(true) }),
      /of one kind/,
    );
    assert.throws(
      () => products.annotate({ x: when({ price__lt: '3' }, 'a') }).filter({ x: 3 } as never),
      /compares with text/,
    );
  });
});
