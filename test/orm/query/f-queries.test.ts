/**
 * F() in filter(), exclude() and annotate(): columns of the same row compared and computed,
 * across foreign keys and with annotations; decimals exact at PostgreSQL's scales on both
 * databases; whole numbers whole, division by zero null; bad expressions refused before SQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count } from '../../../src/orm/query/aggregates.ts';
import { cachedShapes } from '../../../src/orm/query/cache.ts';
import { extract } from '../../../src/orm/query/dates.ts';
import { or } from '../../../src/orm/query/expressions.ts';
import { query } from '../../../src/orm/query/queryset.ts';
import { F } from '../../../src/orm/query/refs.ts';
import type { OpenTestDatabase } from '../../../src/testing/database.ts';
import { forEachDialect } from '../support.ts';
import { salesDatabase } from './fixtures-sales.ts';

async function setup(open: OpenTestDatabase, t: { after: (fn: () => Promise<void>) => void }) {
  const db = await open();
  t.after(() => db.close());
  const sales = await salesDatabase(db);
  const { Order, Line, ana, bo, pen, ink, pad } = sales;
  // Products (price, cost, stock, reserved): Pen 2.50 1.125 10 12; Ink 12.00 4.000 5 1; Pad 4.10 2.050 0 0.
  const [o1, o2] = await query(db, Order).bulkCreate([
    {
      customerId: ana.id,
      placedAt: new Date('2024-01-10T10:00:00Z'),
      total: '12.00',
      shippedOn: '2020-03-01',
    },
    {
      customerId: bo.id,
      placedAt: new Date('2024-01-11T10:00:00Z'),
      total: '50.00',
      shippedOn: '2024-01-12',
    },
  ]);
  await query(db, Line).bulkCreate([
    { orderId: o1!.id, productId: pen.id, quantity: 2, amount: '5.00' },
    { orderId: o1!.id, productId: ink.id, quantity: 1, amount: '12.00' },
    { orderId: o2!.id, productId: pad.id, quantity: 10, amount: '41.00' },
    { orderId: o2!.id, productId: ink.id, quantity: 1, amount: '9.00' },
  ]);
  return { db, ...sales };
}

const names = (rows: { name: string }[]) => rows.map((row) => row.name);

forEachDialect((_dialect, open) => {
  test('filter and exclude compare two columns of the same row', async (t) => {
    const { db, Product } = await setup(open, t);
    const products = query(db, Product).orderBy('id');
    assert.deepEqual(names(await products.filter({ stock__lt: F('reserved') }).values('name')), ['Pen']);
    assert.deepEqual(names(await products.exclude({ stock__lt: F('reserved') }).values('name')), [
      'Ink',
      'Pad',
    ]);
    assert.deepEqual(names(await products.filter({ stock__exact: F('reserved') }).values('name')), ['Pad']);
    assert.deepEqual(names(await products.filter({ stock__gte: F('reserved').plus(4) }).values('name')), [
      'Ink',
    ]);
    // Integers against decimals, as numbers.
    assert.deepEqual(names(await products.filter({ stock__gt: F('price') }).values('name')), ['Pen']);
    // Inside or(), beside plain values.
    assert.deepEqual(
      names(await products.filter(or({ stock__lt: F('reserved') }, { name: 'Pad' })).values('name')),
      ['Pen', 'Pad'],
    );
  });

  test('decimals compare exactly whatever their scales, with exact arithmetic on both databases', async (t) => {
    const { db, Product } = await setup(open, t);
    const products = query(db, Product).orderBy('id');
    // Pad: 4.10 against 2.050 × 2 = 4.100, equal; Pen: 2.50 > 2.250; Ink: 12.00 > 8.000.
    assert.deepEqual(names(await products.filter({ price__gt: F('cost').times(2) }).values('name')), [
      'Pen',
      'Ink',
    ]);
    assert.deepEqual(names(await products.filter({ price__exact: F('cost').times(2) }).values('name')), [
      'Pad',
    ]);
    assert.deepEqual(names(await products.filter({ price__lte: F('cost').times('2.0') }).values('name')), [
      'Pad',
    ]);
    assert.deepEqual(names(await products.filter({ cost__lt: F('price').dividedBy(2) }).values('name')), [
      'Pen',
      'Ink',
    ]);
  });

  test('annotate computes with F(): numbers stay numbers, decimals exact text at PostgreSQL scales', async (t) => {
    const { db, Product } = await setup(open, t);
    const rows = await query(db, Product)
      .annotate({
        margin: F('price').minus(F('cost')),
        free: F('stock').minus(F('reserved')),
        ratio: F('stock').dividedBy(F('reserved')),
        grams: F('weight').times(1000),
        marked: F('cost').times('1.2'),
        third: F('price').dividedBy(3),
        price2: F('price'),
      })
      .orderBy('id')
      .values('margin', 'free', 'ratio', 'grams', 'marked', 'third', 'price2');
    assert.deepEqual(rows, [
      {
        margin: '1.375',
        free: -2,
        ratio: 0, // 10 / 12: whole numbers divide into a whole number, as in SQL and Django
        grams: 20,
        marked: '1.3500',
        third: '0.83333333333333333333',
        price2: '2.50',
      },
      {
        margin: '8.000',
        free: 4,
        ratio: 5,
        grams: null,
        marked: '4.8000',
        third: '4.0000000000000000',
        price2: '12.00',
      },
      // 0 / 0: null on both databases (PostgreSQL alone would fail).
      {
        margin: '2.050',
        free: 0,
        ratio: null,
        grams: 300,
        marked: '2.4600',
        third: '1.3666666666666667',
        price2: '4.10',
      },
    ]);
    const ranked = query(db, Product).annotate({ margin: F('price').minus(F('cost')) });
    assert.deepEqual(names(await ranked.filter({ margin__gt: '2.05' }).values('name')), ['Ink']);
    assert.deepEqual(names(await ranked.filter({ margin: '2.05' }).values('name')), ['Pad']);
    assert.deepEqual(names(await ranked.orderBy('-margin').values('name')), ['Ink', 'Pad', 'Pen']);
    assert.deepEqual(
      (await ranked.groupBy('margin').aggregate({ n: count() })).map((r) => r.margin),
      ['1.375', '2.050', '8.000'],
    );
  });

  test('F() names paths across foreign keys and earlier annotations', async (t) => {
    const { db, Line, Order } = await setup(open, t);
    // Lines sold at their product's list price or above: 4.10 × 10 is 41.00, exactly.
    assert.deepEqual(
      await query(db, Line)
        .filter({ amount__gte: F('product__price').times(F('quantity')) })
        .orderBy('id')
        .values('amount'),
      [{ amount: '5.00' }, { amount: '12.00' }, { amount: '41.00' }],
    );
    // Across a relation holding several rows, F() is the queried row's: orders with a line worth their total.
    assert.deepEqual(
      await query(db, Order)
        .filter({ lines__amount__gte: F('total') })
        .values('total'),
      [{ total: '12.00' }],
    );
    // Dates with dates: shipped before the customer's first date.
    assert.equal(
      await query(db, Order)
        .filter({ shippedOn__lt: F('customer__since') })
        .count(),
      0,
    );
    assert.equal(
      await query(db, Order)
        .filter({ shippedOn__gt: F('customer__since') })
        .count(),
      1,
    );
    // An earlier annotation, in arithmetic and in a comparison.
    const perLine = await query(db, Order)
      .annotate({ lineCount: count('lines'), month: extract('placedAt', 'month') })
      .annotate({ perLine: F('total').dividedBy(F('lineCount')) })
      .filter({ lineCount__gte: F('month').plus(1) })
      .orderBy('id')
      .values('perLine');
    assert.deepEqual(perLine, [{ perLine: '6.0000000000000000' }, { perLine: '25.0000000000000000' }]);
  });

  test("F()'s literals are parameters: other values reuse the cached SQL", async (t) => {
    const { db, Product } = await setup(open, t);
    const run = (n: number, text: string) =>
      query(db, Product)
        .annotate({ marked: F('cost').times(text) })
        .filter({ stock__gte: F('reserved').plus(n) })
        .orderBy('id')
        .values('marked');
    const before = cachedShapes(Product);
    await run(1, '1.5');
    // Cached at once: the parameters gathered are in SQL order.
    const shapes = cachedShapes(Product);
    assert.equal(shapes, before + 1);
    assert.deepEqual(await run(-10, '2'), [{ marked: '2.250' }, { marked: '8.000' }, { marked: '4.100' }]);
    assert.equal(cachedShapes(Product), shapes);
  });

  test('bad expressions are refused before any SQL runs', async (t) => {
    const { db, Product, Order } = await setup(open, t);
    const products = query(db, Product);
    assert.throws(() => products.filter({ stock__lt: F('nope') }), /sales\.Product has no field 'nope'/);
    assert.throws(
      () => products.annotate({ x: F('name').plus(1) as never }),
      /arithmetic takes numbers and decimals, and 'name' is a string/,
    );
    assert.throws(
      () => products.annotate({ x: F('price').times(F('weight')) }),
      /mixes a decimal and a float/,
    );
    assert.throws(() => products.annotate({ x: F('price').times(1.5) }), /mixes a decimal and a float/);
    assert.throws(() => products.filter({ weight__gt: F('price') }), /compares a decimal with a float/);
    assert.throws(
      () => products.filter({ name__exact: F('stock') }),
      /'name__exact' is a string and F\(\) gives a integer/,
    );
    assert.throws(
      () => products.filter({ stock__in: F('reserved') } as never),
      /takes the lookups exact, gt, gte, lt and lte/,
    );
    assert.throws(
      () => products.filter({ stock__lt: F('lines__quantity') }),
      /crosses a relation holding several rows/,
    );
    assert.throws(
      () => query(db, Order).filter({ placedAt__gt: F('shippedOn') }),
      /is a datetime and F\(\) gives a date/,
    );
    assert.throws(
      () => products.annotate({ n: count('lines') }).annotate({ m: F('n') }),
      /F\('n'\) is an annotation already; name it instead/,
    );
  });
});
