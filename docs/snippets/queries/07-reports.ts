import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { Customer, Line, monthlySales, Order, salesByCountry, seed } from './reports.ts';

// The app's time zone: months start at midnight in Paris (the TIME_ZONE setting; UTC by default).
const erp = defineApp({ name: 'erp', models: [Customer, Order, Line] });
const app = volt({ database: 'sqlite::memory:', timeZone: 'Europe/Paris', apps: [erp] });
await app.ready();
await seed(app.db);

// The order placed at 23:30 UTC on 31 January is February's in Paris; its two lines count once
// each, and count() counts it once.
const since = new Date('2026-01-01T00:00:00+01:00');
assert.deepEqual(await monthlySales(app.db, since), [
  { month: new Date('2025-12-31T23:00:00Z'), orders: 1, revenue: '35.50', big: 0 },
  { month: new Date('2026-01-31T23:00:00Z'), orders: 2, revenue: '219.99', big: 1 },
]);
assert.deepEqual(await salesByCountry(app.db, since), [
  { customer__country: 'fr', month: new Date('2026-01-31T23:00:00Z'), orders: 2, revenue: '219.99' },
  { customer__country: 'us', month: new Date('2025-12-31T23:00:00Z'), orders: 1, revenue: '35.50' },
]);

await app.close();
