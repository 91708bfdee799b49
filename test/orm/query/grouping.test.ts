/**
 * groupBy() by paths across foreign keys and by annotations, with aggregates across relations
 * that count each row once (no join multiplying the grouped rows), on both databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avg, count, max, min, sum } from '../../../src/orm/query/aggregates.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { trunc } from '../../../src/orm/query/dates.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import type { OpenTestDatabase } from '../../../src/testing/database.ts';
import { forEachDialect } from '../support.ts';
import { salesDatabase } from './fixtures-sales.ts';

async function setup(open: OpenTestDatabase, t: { after: (fn: () => Promise<void>) => void }) {
  const db = await open();
  t.after(() => db.close());
  const sales = await salesDatabase(db);
  const { Order, Line, ana, bo, cy, pen, ink, pad } = sales;
  const [o1, o2, o3, , o5] = await query(db, Order).bulkCreate([
    { customerId: ana.id, placedAt: new Date('2024-01-10T10:00:00Z'), total: '100.00' },
    { customerId: ana.id, placedAt: new Date('2024-01-20T10:00:00Z'), total: '20.00' },
    { customerId: bo.id, placedAt: new Date('2024-01-25T10:00:00Z'), total: '300.00' },
    { customerId: cy.id, placedAt: new Date('2024-02-02T10:00:00Z'), total: '0.00' },
    { customerId: bo.id, placedAt: new Date('2024-02-14T10:00:00Z'), total: '15.00' },
  ]);
  await query(db, Line).bulkCreate([
    { orderId: o1!.id, productId: pen.id, quantity: 2, amount: '5.00' },
    { orderId: o1!.id, productId: ink.id, quantity: 1, amount: '12.00' },
    { orderId: o1!.id, productId: pad.id, quantity: 3, amount: '12.30' },
    { orderId: o2!.id, productId: pen.id, quantity: 1, amount: '2.50' },
    { orderId: o3!.id, productId: ink.id, quantity: 10, amount: '120.00' },
    { orderId: o3!.id, productId: ink.id, quantity: 5, amount: '60.00' },
    { orderId: o5!.id, productId: pad.id, quantity: 1, amount: '4.10' },
  ]);
  return { db, ...sales };
}

forEachDialect((_dialect, open) => {
  test('aggregates across a relation count each grouped row once: orders beside the sum of their lines', async (t) => {
    const { db, Order, Line } = await setup(open, t);
    const rows = await query(db, Order)
      .groupBy('customer__country')
      .aggregate({
        orders: count(),
        lineCount: count('lines'),
        revenue: sum('lines__amount'),
        items: sum('lines__quantity'),
        cheapest: min('lines__amount'),
        dearest: max('lines__amount'),
        meanQuantity: avg('lines__quantity'),
        meanAmount: avg('lines__amount'),
        totals: sum('total'),
        credit: sum('customer__credit'),
        customers: count('customer', { distinct: true }),
      } as const);
    // Each average is the one aggregate() gives over the same lines, on both databases.
    const mean = async (country: string | null) =>
      (
        await query(db, Line)
          .filter({ order__customer__country: country })
          .aggregate({ m: avg('amount') })
      ).m;
    assert.deepEqual(rows, [
      {
        customer__country: 'fr',
        orders: 2,
        lineCount: 4,
        revenue: '31.80',
        items: 7,
        cheapest: '2.50',
        dearest: '12.30',
        meanQuantity: 1.75,
        meanAmount: await mean('fr'),
        totals: '120.00',
        credit: '201.00',
        customers: 1,
      },
      {
        customer__country: 'us',
        orders: 2,
        lineCount: 3,
        revenue: '184.10',
        items: 16,
        cheapest: '4.10',
        dearest: '120.00',
        meanQuantity: 16 / 3,
        meanAmount: await mean('us'),
        totals: '315.00',
        credit: '0.50',
        customers: 1,
      },
      {
        customer__country: null,
        orders: 1,
        lineCount: 0,
        revenue: null,
        items: null,
        cheapest: null,
        dearest: null,
        meanQuantity: null,
        meanAmount: null,
        totals: '0.00',
        credit: '0.00',
        customers: 1,
      },
    ]);
    assert.equal(rows[0]!.meanAmount, '7.9500000000000000');
  });

  test('groupBy a path and an annotation; having on an aggregate across a relation', async (t) => {
    const { db, Order } = await setup(open, t);
    const orders = query(db, Order).annotate({ month: trunc('placedAt', 'month') });
    const rows = await orders
      .groupBy('customer__country', 'month')
      .aggregate({ orders: count(), revenue: sum('lines__amount') }, { having: { revenue__gt: '10' } });
    assert.deepEqual(rows, [
      { customer__country: 'fr', month: new Date('2024-01-01T00:00:00Z'), orders: 2, revenue: '31.80' },
      { customer__country: 'us', month: new Date('2024-01-01T00:00:00Z'), orders: 1, revenue: '180.00' },
    ]);
    // An aggregate annotation is a value per row too: orders by their number of lines.
    assert.deepEqual(
      await query(db, Order)
        .annotate({ lineCount: count('lines') })
        .groupBy('lineCount')
        .aggregate({ orders: count(), revenue: sum('lines__amount') }),
      [
        { lineCount: 0, orders: 1, revenue: null },
        { lineCount: 1, orders: 2, revenue: '6.60' },
        { lineCount: 2, orders: 1, revenue: '180.00' },
        { lineCount: 3, orders: 1, revenue: '29.30' },
      ],
    );
  });

  test('a filter() on the relation before groupBy() restricts the related rows aggregated, as in Django', async (t) => {
    const { db, Order } = await setup(open, t);
    assert.deepEqual(
      await query(db, Order)
        .filter({ lines__product__category: 2 })
        .groupBy('customer__country')
        .aggregate({ orders: count(), revenue: sum('lines__amount'), lineCount: count('lines') }),
      [
        { customer__country: 'fr', orders: 1, revenue: '12.00', lineCount: 1 },
        { customer__country: 'us', orders: 1, revenue: '180.00', lineCount: 2 },
      ],
    );
  });

  test('a grouped query keeps one SQL text whatever its values', async (t) => {
    const { db, Order } = await setup(open, t);
    const run = (country: string, over: string, timeZone = 'UTC') =>
      query(db, Order)
        .annotate({ day: trunc('placedAt', 'day', { timeZone }) })
        .filter({ customer__country: country })
        .groupBy('customerId', 'day')
        .aggregate(
          { n: count(), big: count('id', { filter: { total__gte: over } }) },
          { having: { n__gte: 1 } },
        );
    const before = cachedShapes(Order);
    await run('fr', '50', 'Europe/Paris');
    // Cached at once: the parameters gathered (aggregates, keys, conditions, having) are in SQL order.
    const shapes = cachedShapes(Order);
    assert.equal(shapes, before + 1);
    assert.deepEqual(
      (await run('us', '100')).map((r) => [r.day.toISOString(), r.n, r.big]),
      [
        ['2024-01-25T00:00:00.000Z', 1, 1],
        ['2024-02-14T00:00:00.000Z', 1, 0],
      ],
    );
    assert.equal(cachedShapes(Order), shapes);
  });

  test('groupBy keys are checked before any SQL runs', async (t) => {
    const { db, Order } = await setup(open, t);
    const orders = query(db, Order);
    assert.throws(() => orders.groupBy(), /name at least one field/);
    assert.throws(() => orders.groupBy('nope' as never), /sales\.Order has no field 'nope'/);
    assert.throws(() => orders.groupBy('lines__amount' as never), /crosses a relation holding several rows/);
    assert.throws(() => orders.groupBy('customer__nope' as never), /sales\.Customer has no field 'nope'/);
    assert.throws(() => orders.limit(2).groupBy('customerId'), /cannot be grouped/);
    await assert.rejects(
      orders.groupBy('customerId').aggregate({ customer: count() } as never),
      /already a field/,
    );
  });
});
