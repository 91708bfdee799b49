import assert from 'node:assert/strict';
import { t, volt } from 'voltjs';
import { testClient } from 'voltjs/testing';

const app = volt({ info: { title: 'Shop', version: '1.0.0' } });

const Item = t.Object({
  name: t.String({ minLength: 1, maxLength: 100 }),
  price: t.Number({ exclusiveMinimum: 0 }),
});

app.get(
  '/items/:id',
  {
    params: t.Object({ id: t.Integer({ minimum: 1 }) }),
    query: t.Object({ currency: t.Union([t.Literal('EUR'), t.Literal('USD')], { default: 'EUR' }) }),
  },
  // ctx.params.id is a number and ctx.query.currency is 'EUR' | 'USD': both checked before this runs.
  (ctx) => ({ id: ctx.params.id, currency: ctx.query.currency }),
);

app.post('/items', { body: Item, status: 201, response: { 201: Item } }, (ctx) => ctx.body);

// --- what a client sees ---
const client = testClient(app);

const found = await client.get('/items/7', { query: { currency: 'USD' } });
assert.deepEqual(found.json(), { id: 7, currency: 'USD' });

const created = await client.post('/items', { json: { name: 'Pen', price: 1.5 } });
assert.equal(created.status, 201);

const invalid = await client.post('/items', { json: { name: '', price: 0 } });
assert.equal(invalid.status, 422);
assert.deepEqual(
  invalid.json<{ errors: unknown[] }>().errors.map((e) => (e as { loc: unknown }).loc),
  [
    ['body', 'name'],
    ['body', 'price'],
  ],
);

await client.close();
