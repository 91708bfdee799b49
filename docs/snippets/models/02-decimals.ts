import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { avg, createTables, decimal, f, model, query, sum } from 'voltjs/orm';

const Line = model('shop.Line', {
  price: f.decimal({ digits: 12, places: 2 }),
  quantity: f.integer({ min: 1 }),
});

const app = volt({ database: 'sqlite::memory:', apps: [defineApp({ name: 'shop', models: [Line] })] });
await app.ready();
const db = app.db;
await createTables(db, [Line]);
await query(db, Line).bulkCreate([
  { price: '19.99', quantity: 3 },
  { price: '0.10', quantity: 1 },
]);

// A row holds the exact string; compute on it with the decimal helpers, never with floats.
const lines = await query(db, Line).all();
const subtotal = decimal.sum(lines.map((line) => decimal.mul(line.price, line.quantity)));
assert.equal(subtotal, '60.07');
const tax = decimal.round(decimal.mul(subtotal, '0.0825'), 2); // 4.955775 → 4.96
assert.equal(decimal.add(subtotal, tax), '65.03');
assert.equal(decimal.div('10.00', '3', 2), '3.33');
assert.equal(decimal.round('0.125', 2), '0.12'); // halfEven by default, as Python's decimal
assert.equal(decimal.round('0.125', 2, 'halfUp'), '0.13');
assert.equal(decimal.cmp('1.50', '1.5'), 0);

// Filters compare numbers: any spelling of a stored value finds it, on both databases.
assert.equal(await query(db, Line).filter({ price: '19.9900' }).count(), 1);
assert.equal(
  await query(db, Line)
    .filter({ price__in: ['0.1', '7'] })
    .count(),
  1,
);
assert.equal(await query(db, Line).filter({ price: '19.995' }).count(), 0); // 2 places can't hold it

// Aggregates are exact too: sums keep every digit, an average is PostgreSQL's decimal.
assert.deepEqual(await query(db, Line).aggregate({ total: sum('price'), mean: avg('price') }), {
  total: '20.09',
  mean: '10.0450000000000000',
});

await app.close();
