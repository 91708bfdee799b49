/**
 * The monthly sales report of the Queries guide (docs/snippets/queries/reports.ts), run on
 * both databases: the same rows, in a time zone that moves an order into the next month.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monthlySales, salesByCountry, seed } from '../../../docs/snippets/queries/reports.ts';
import { forEachDialect } from '../support.ts';

const since = new Date('2026-01-01T00:00:00+01:00');

forEachDialect((_dialect, open) => {
  test("the monthly sales report: months in the database's time zone, lines summed once per order", async (t) => {
    const db = await open({ timeZone: 'Europe/Paris' });
    t.after(() => db.close());
    await seed(db);
    assert.deepEqual(await monthlySales(db, since), [
      { month: new Date('2025-12-31T23:00:00Z'), orders: 1, revenue: '35.50', big: 0 },
      { month: new Date('2026-01-31T23:00:00Z'), orders: 2, revenue: '219.99', big: 1 },
    ]);
    assert.deepEqual(await salesByCountry(db, since), [
      { customer__country: 'fr', month: new Date('2026-01-31T23:00:00Z'), orders: 2, revenue: '219.99' },
      { customer__country: 'us', month: new Date('2025-12-31T23:00:00Z'), orders: 1, revenue: '35.50' },
    ]);
  });

  test('the same report in UTC puts the late order in January', async (t) => {
    const db = await open();
    t.after(() => db.close());
    await seed(db);
    assert.deepEqual(await monthlySales(db, since), [
      { month: new Date('2026-01-01T00:00:00Z'), orders: 2, revenue: '155.50', big: 1 },
      { month: new Date('2026-02-01T00:00:00Z'), orders: 1, revenue: '99.99', big: 0 },
    ]);
  });
});
