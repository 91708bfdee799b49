/**
 * Aggregates with their own filter (Django's `filter=Q(…)`), in annotate(), aggregate() and
 * groupBy(): conditions on the aggregated relation hold on the aggregated row, others on the
 * queried row; on both databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avg, count, max, sum } from '../../../src/orm/query/aggregates.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { not, or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import type { OpenTestDatabase } from '../../../src/testing/database.ts';
import { forEachDialect } from '../support.ts';
import { salesDatabase } from './fixtures-sales.ts';

async function setup(open: OpenTestDatabase, t: { after: (fn: () => Promise<void>) => void }) {
  const db = await open();
  t.after(() => db.close());
  const sales = await salesDatabase(db);
  const { Order, Line, ana, bo, pen, ink, pad } = sales;
  const [o1, o2, o3] = await query(db, Order).bulkCreate([
    { customerId: ana.id, placedAt: new Date('2024-01-10T10:00:00Z'), total: '29.30' },
    { customerId: ana.id, placedAt: new Date('2024-01-20T10:00:00Z'), total: '2.50', status: 'draft' },
    { customerId: bo.id, placedAt: new Date('2024-01-25T10:00:00Z'), total: '180.00' },
  ]);
  await query(db, Line).bulkCreate([
    { orderId: o1!.id, productId: pen.id, quantity: 2, amount: '5.00' },
    { orderId: o1!.id, productId: ink.id, quantity: 1, amount: '12.00' },
    { orderId: o1!.id, productId: pad.id, quantity: 3, amount: '12.30' },
    { orderId: o2!.id, productId: pen.id, quantity: 1, amount: '2.50' },
    { orderId: o3!.id, productId: ink.id, quantity: 10, amount: '120.00' },
    { orderId: o3!.id, productId: ink.id, quantity: 5, amount: '60.00' },
  ]);
  return { db, ...sales };
}

forEachDialect((_dialect, open) => {
  test('annotate: a filter on the relation counts the related rows meeting it, beside the unfiltered count', async (t) => {
    const { db, Order } = await setup(open, t);
    const rows = await query(db, Order)
      .annotate({
        lineCount: count('lines'),
        multiples: count('lines', { filter: { lines__quantity__gt: 1 } }),
        inkRevenue: sum('lines__amount', { filter: { lines__product__category: 2 } }),
        // A condition on the queried row: the order's lines count only when it is paid.
        paidLines: count('lines', { filter: { status: 'paid' } }),
        // or() and not() on the aggregated row.
        oddLines: count('lines', { filter: or({ lines__quantity__gte: 10 }, { lines__amount__lt: '6' }) }),
        notPens: count('lines', { filter: not({ lines__product__name: 'Pen' }) }),
        bestNonInk: max('lines__amount', { filter: { lines__product__category__in: [1, 3] } }),
      })
      .orderBy('id')
      .values('lineCount', 'multiples', 'inkRevenue', 'paidLines', 'oddLines', 'notPens', 'bestNonInk');
    assert.deepEqual(rows, [
      {
        lineCount: 3,
        multiples: 2,
        inkRevenue: '12.00',
        paidLines: 3,
        oddLines: 1,
        notPens: 2,
        bestNonInk: '12.30',
      },
      {
        lineCount: 1,
        multiples: 0,
        inkRevenue: null,
        paidLines: 0,
        oddLines: 1,
        notPens: 0,
        bestNonInk: '2.50',
      },
      {
        lineCount: 2,
        multiples: 2,
        inkRevenue: '180.00',
        paidLines: 2,
        oddLines: 1,
        notPens: 2,
        bestNonInk: null,
      },
    ]);
    // Filtered annotations are filtered and ordered on like any other.
    assert.deepEqual(
      await query(db, Order)
        .annotate({ multiples: count('lines', { filter: { lines__quantity__gt: 1 } }) })
        .filter({ multiples__gte: 2 })
        .orderBy('-total')
        .values('total'),
      [{ total: '180.00' }, { total: '29.30' }],
    );
  });

  test('aggregate: one filtered value beside others, on the rows or on a relation', async (t) => {
    const { db, Order, Customer } = await setup(open, t);
    assert.deepEqual(
      await query(db, Order).aggregate({
        n: count(),
        paid: count('id', { filter: { status: 'paid' } }),
        big: count('id', { filter: { total__gte: '100' } }),
        paidTotal: sum('total', { filter: { status: 'paid' } }),
        inkRevenue: sum('lines__amount', { filter: { lines__product__category: 2 } }),
        frenchRevenue: sum('lines__amount', { filter: { customer__country: 'fr' } }),
        meanQuantity: avg('lines__quantity', { filter: { lines__product__name__in: ['Pen', 'Pad'] } }),
        none: sum('total', { filter: { status: 'void' } }),
      }),
      {
        n: 3,
        paid: 2,
        big: 1,
        paidTotal: '209.30',
        inkRevenue: '192.00',
        frenchRevenue: '31.80',
        meanQuantity: 2,
        none: null,
      },
    );
    // Two hops: every order line of the customers, filtered on the line.
    assert.deepEqual(
      await query(db, Customer)
        .filter({ name: 'Ana' })
        .aggregate({
          pens: sum('orders__lines__quantity', { filter: { orders__lines__product__name: 'Pen' } }),
        }),
      { pens: 3 },
    );
  });

  test('groupBy: filtered aggregates of the rows and across relations', async (t) => {
    const { db, Order } = await setup(open, t);
    assert.deepEqual(
      await query(db, Order)
        .groupBy('customer__country')
        .aggregate(
          {
            orders: count(),
            paid: count('id', { filter: { status: 'paid' } }),
            inkRevenue: sum('lines__amount', { filter: { lines__product__category: 2 } }),
            multiples: count('lines', { filter: { lines__quantity__gt: 1 } }),
          },
          { having: { paid__gte: 1 } },
        ),
      [
        { customer__country: 'fr', orders: 2, paid: 1, inkRevenue: '12.00', multiples: 2 },
        { customer__country: 'us', orders: 1, paid: 1, inkRevenue: '180.00', multiples: 2 },
      ],
    );
  });

  test("a filter's values are parameters: other values reuse the cached SQL", async (t) => {
    const { db, Order } = await setup(open, t);
    const run = (quantity: number, category: number) =>
      query(db, Order)
        .annotate({
          multiples: count('lines', { filter: { lines__quantity__gt: quantity } }),
          revenue: sum('lines__amount', { filter: { lines__product__category: category } }),
        })
        .filter({ multiples__gte: 1 })
        .orderBy('id')
        .values('multiples', 'revenue');
    const before = cachedShapes(Order);
    await run(1, 2);
    // Cached at once: the parameters gathered are in SQL order.
    const shapes = cachedShapes(Order);
    assert.equal(shapes, before + 1);
    assert.deepEqual(await run(4, 1), [{ multiples: 2, revenue: null }]);
    assert.equal(cachedShapes(Order), shapes);
  });

  test('a bad filter is refused before any SQL runs', async (t) => {
    const { db, Order } = await setup(open, t);
    assert.throws(() => count('lines', { filter: 'paid' as never }), /filter should be a conditions object/);
    assert.throws(
      () => sum('lines__amount', { filter: [] as never }),
      /filter should be a conditions object/,
    );
    assert.throws(
      () => query(db, Order).annotate({ n: count('lines', { filter: { lines__colour: 'red' } }) }),
      /sales\.Line has no field 'colour'/,
    );
    await assert.rejects(
      query(db, Order).aggregate({ n: count('id', { filter: { total__gte: 'a lot' } }) }),
      /'total__gte' needs a decimal number/,
    );
  });
});
