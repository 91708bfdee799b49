import assert from 'node:assert/strict';
import { defineApp, volt } from 'voltjs';
import { createTables, f, model, QueryError, query, ValidationError } from 'voltjs/orm';
import { countQueries } from 'voltjs/testing';

const Product = model(
  'stock.Product',
  {
    sku: f.string({ maxLength: 20, unique: true }),
    price: f.decimal({ digits: 8, places: 2, min: 0 }),
    onSale: f.boolean({ default: false }),
    changed: f.datetime({ autoNow: true }),
  },
  { ordering: ['sku'] },
);

const stock = defineApp({ name: 'stock', models: [Product] });
const app = volt({ database: 'sqlite::memory:', apps: [stock] });
await app.ready();
const db = app.db;
await createTables(db, [Product]);
await query(db, Product).bulkCreate([
  { sku: 'ink', price: '12.00' },
  { sku: 'pen', price: '3.50' },
  { sku: 'pad', price: '8.00' },
]);

// Change the rows in JavaScript, then write each row's own values: one statement.
const products = await query(db, Product).all();
for (const product of products) {
  product.price = (Number(product.price) * 0.9).toFixed(2);
  product.onSale = true;
}
const counter = countQueries(db);
assert.equal(await query(counter.db, Product).bulkUpdate(products, ['price', 'onSale']), 3);
assert.equal(counter.count, 1);
assert.deepEqual(await query(db, Product).values('sku', 'price'), [
  { sku: 'ink', price: '10.80' },
  { sku: 'pad', price: '7.20' },
  { sku: 'pen', price: '3.15' },
]);

// Plain objects work too: the primary key and the fields named. The count is of rows matched.
assert.equal(
  await query(db, Product).bulkUpdate(
    [
      { id: products[0]!.id, price: '11.00' },
      { id: 999, price: '1.00' },
    ],
    ['price'],
  ),
  1,
);

// Every row is checked first, as update() checks its values: nothing is written on a refusal.
const [first, second] = products; // ink and pad, in sku order
await assert.rejects(
  query(db, Product).bulkUpdate(
    [
      { id: first!.id, price: '5.00' },
      { id: second!.id, price: '-1.00' },
    ],
    ['price'],
  ),
  (error) => {
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.errors[0]?.loc, [1, 'price']);
    return true;
  },
);
// So are the database's constraints: a unique sku taken, at the row's index.
await assert.rejects(
  query(db, Product).bulkUpdate(
    [
      { id: first!.id, sku: 'nib' },
      { id: second!.id, sku: 'pen' },
    ],
    ['sku'],
  ),
  (error) => {
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.errors[0], {
      loc: [1, 'sku'],
      msg: 'Product with this sku already exists',
      type: 'unique',
    });
    return true;
  },
);
assert.equal((await query(db, Product).get({ id: first!.id })).sku, 'ink');

// The primary key finds the rows; it cannot be one of the fields.
await assert.rejects(query(db, Product).bulkUpdate(products, ['id' as never]), QueryError);

// autoNow fields are set to now only when named.
const { changed } = await query(db, Product).get({ id: second!.id });
await query(db, Product).bulkUpdate([{ id: second!.id, sku: 'notepad' }], ['sku']);
assert.deepEqual((await query(db, Product).get({ id: second!.id })).changed, changed);
await query(db, Product).bulkUpdate([{ id: second!.id }], ['changed']);
assert.ok((await query(db, Product).get({ id: second!.id })).changed >= changed);

await app.close();
